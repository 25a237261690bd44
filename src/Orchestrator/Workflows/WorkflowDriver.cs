using Provisioning.ServiceDefaults.Telemetry;
using System.Diagnostics;
using JasperFx;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Drives one workflow from its current step to a terminal event. Every step's result is appended to the
/// workflow's stream with the version it was decided on (optimistic concurrency), so a concurrent cancel or
/// another driver makes this one stop rather than write over it.
/// </summary>
public sealed class WorkflowDriver(
    IDocumentStore store,
    Coordination.WorkflowLeases leases,
    IEnumerable<IWorkflowStep> steps,
    DeviceAdapters adapters,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowDriver> logger)
{
    private readonly Dictionary<WorkflowStep, IWorkflowStep> _steps = steps.ToDictionary(s => s.Step);

    public async Task DriveAsync(Guid workflowId, Activity? root, CancellationToken interrupted, CancellationToken stopping)
    {
        var summary = await LoadAsync(workflowId, stopping);
        if (summary is null || summary.IsTerminal)
        {
            WorkflowSpans.Discard(root);
            return;
        }

        var resumed = root is null;
        root ??= WorkflowSpans.StartResumed(summary);
        var previous = Activity.Current;
        Activity.Current = root;
        OrchestratorTelemetry.ActiveSessions.Add(1);
        var context = new WorkflowContext(summary);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(interrupted, stopping);
        try
        {
            if (resumed)
            {
                Log.Resuming(logger, workflowId, summary.SerialNumber, summary.CurrentStep);
                await AppendAsync(context, [new WorkflowResumed(summary.SerialNumber, summary.CurrentStep ?? WorkflowStep.Authenticate, leases.Me,
                    new TraceRef(summary.TraceId, summary.RootSpanId), TraceRef.Current)], stopping);
            }

            while (!context.Summary.IsTerminal)
            {
                var step = context.Summary.CurrentStep ?? WorkflowStep.Authenticate;
                var outcome = await RunStepAsync(step, context, cancel.Token);
                if (stopping.IsCancellationRequested) return; // left Running in the store: resumed at the next start
                if (interrupted.IsCancellationRequested)
                {
                    var held = context.Held;
                    context.Stores(await LoadAsync(workflowId, stopping) ?? context.Stored);
                    if (context.Summary.IsTerminal) break;
                    if (held.Count > 0) context.Hold(WorkflowSummaryFolding.Fold(context.Summary, held, DateTimeOffset.UtcNow), held);
                }
                // Reaching the device may have moved it to another adapter instance (a Connection Request's session).
                if (step == WorkflowStep.Authenticate) WorkflowContextLoader.ForgetRoute(context);
                var events = EventsFor(step, outcome, context);
                var decided = WorkflowSummaryFolding.Fold(context.Summary, events, DateTimeOffset.UtcNow);
                if (WorksOnStoreAlone(decided.CurrentStep))
                {
                    context.Hold(decided, events);
                    continue;
                }
                await AppendAsync(context, events, decided, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down, or another instance holds the workflow now: it stays Running for whoever holds it.
        }
        catch (LeaseLostException)
        {
            root?.SetTag("cpe.lease_lost", true);
        }
        finally
        {
            OrchestratorTelemetry.ActiveSessions.Add(-1);
            if (context.Summary.IsTerminal) OnTerminal(context);
            WorkflowSpans.End(root, context.Summary);
            Activity.Current = previous;
        }
    }

    private async Task<StepOutcome> RunStepAsync(WorkflowStep step, WorkflowContext context, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var workflowDeadline = context.Summary.Deadline.UtcDateTime;
        if (now >= workflowDeadline)
            return StepOutcome.Failed(new(WorkflowResult.TimedOut, $"{step.Name()}: the workflow deadline passed"));
        var deadline = Min(now + options.Value.StepTimeout(step), workflowDeadline);

        using var span = OrchestratorTelemetry.Source.StartActivity(OrchestratorTelemetry.StepSpan(step.Name()));
        span?.SetTag(CpeSpanAttributes.WorkflowId, context.WorkflowId.ToString());
        span?.SetTag(CpeSpanAttributes.SerialNumber, context.Summary.SerialNumber);
        var started = Stopwatch.GetTimestamp();
        StepOutcome outcome;
        using (var stepDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            stepDeadline.CancelAfter(deadline - now);
            try
            {
                outcome = await _steps[step].ExecuteAsync(context, deadline, stepDeadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = StepOutcome.Failed(new(WorkflowResult.TimedOut, $"{step.Name()}: the step deadline passed"));
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not Npgsql.NpgsqlException)
            {
                // A bug or an unusable answer must end the workflow with a reason, not leave it running.
                Log.StepCrashed(logger, e, context.WorkflowId, step.Name());
                outcome = StepOutcome.Failed(new(InternalErrorResult(step), $"{step.Name()}: internal error ({e.GetType().Name})"));
            }
        }

        var failed = outcome.Failure is not null;
        OrchestratorTelemetry.StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("step", step.Name()),
            new KeyValuePair<string, object?>("outcome", failed ? outcome.Failure!.Result.Name() : "success"));
        if (failed && span is not null)
        {
            span.SetTag("cpe.fault_code", outcome.Failure!.FaultCode);
            span.SetTag("cpe.result", outcome.Failure.Result.Name());
            span.SetStatus(ActivityStatusCode.Error, outcome.Failure.Reason);
        }
        return outcome;
    }

    private static IWorkflowEvent[] EventsFor(WorkflowStep step, StepOutcome outcome, WorkflowContext context)
    {
        var summary = context.Summary;
        var duration = (long)(DateTimeOffset.UtcNow - summary.CreatedAt).TotalMilliseconds;
        if (outcome.Failure is { } failure)
        {
            return [new ProvisioningFailed(
                summary.SerialNumber, failure.Result, step, failure.Reason, failure.FaultCode, failure.FaultString,
                failure.ParameterFaults ?? [], failure.Mismatches ?? [], duration,
                summary.Model, summary.FirmwareVersion, summary.ServicePlan ?? context.Profile?.PlanName ?? WorkflowContextLoader.PlanName(context),
                TraceRef.Current)];
        }
        return step == WorkflowStep.Verify
            ? [outcome.Completed!, new ProvisioningSucceeded(summary.SerialNumber, duration, TraceRef.Current)]
            : [outcome.Completed!];
    }

    private bool WorksOnStoreAlone(WorkflowStep? step) => step is { } s && _steps.TryGetValue(s, out var next) && !next.ReachesDevice;

    private Task AppendAsync(WorkflowContext context, IWorkflowEvent[] events, CancellationToken stopping) =>
        AppendAsync(context, events, WorkflowSummaryFolding.Fold(context.Summary, events, DateTimeOffset.UtcNow), stopping);

    /// <summary>
    /// Appends the held events and these at the version the decisions were made on; <paramref name="decided"/> is the
    /// summary with them folded in. A terminal append also frees the device for its next workflow.
    /// </summary>
    private async Task AppendAsync(WorkflowContext context, IWorkflowEvent[] events, WorkflowSummary decided, CancellationToken stopping)
    {
        var attempt = 0;
        var lastResort = false;
        object[] all = [.. context.Held, .. events];
        while (true)
        {
            try
            {
                await using var session = store.LightweightSession();
                // Fencing: the append commits only while this instance still holds the workflow's lease.
                var (assertSql, assertParameters) = leases.AssertFor(context.WorkflowId);
                session.QueueSqlCommand(assertSql, assertParameters);
                session.Events.Append(context.WorkflowId, context.Stored.Version + all.Length, all);
                if (decided.IsTerminal)
                {
                    session.Delete<ActiveWorkflowClaim>(context.Summary.SerialNumber);
                    var (deleteSql, deleteParameters) = leases.DeleteFor(context.WorkflowId);
                    session.QueueSqlCommand(deleteSql, deleteParameters);
                }
                if (decided.Result == WorkflowResult.Success && context.Device is { } device)
                {
                    session.Store(device with { Provisioned = true, ProvisionedAt = DateTimeOffset.UtcNow });
                }
                await session.SaveChangesAsync(stopping);
                context.Stores(decided);
                return;
            }
            catch (ConcurrencyException)
            {
                // Someone else wrote to the stream (a cancel): take the stored state and let the loop decide.
                context.Stores(await LoadAsync(context.WorkflowId, stopping) ?? context.Stored);
                return;
            }
            catch (Exception e) when (Coordination.WorkflowLeases.IsLeaseLost(e))
            {
                throw new LeaseLostException(context.WorkflowId);
            }
            catch (Exception e) when (IsTransient(e) && attempt++ < 30 && !stopping.IsCancellationRequested)
            {
                // The database is away (restart, failover): keep the decision and try again.
                Log.StoreUnavailable(logger, context.WorkflowId, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stopping);
            }
            catch (Exception e) when (!IsTransient(e) && !lastResort && !stopping.IsCancellationRequested)
            {
                // The store refuses these events for good (it would refuse them again after a resume): end the
                // workflow with a failure that carries nothing but its own words, so it does not run forever.
                Log.EventsRefused(logger, e, context.WorkflowId);
                lastResort = true;
                // Nothing of the refused events is kept, held ones included: the failure is the stored step's.
                context.Stores(context.Stored);
                var failure = LastResort(context, e);
                all = [failure];
                decided = WorkflowSummaryFolding.Fold(context.Summary, [failure], DateTimeOffset.UtcNow);
            }
        }
    }

    /// <summary>The result a workflow ends with when this step fails inside the orchestrator (a bug, a refusing store).</summary>
    private static WorkflowResult InternalErrorResult(WorkflowStep step) => step switch
    {
        WorkflowStep.PushConfig => WorkflowResult.ConfigPushFailed,
        WorkflowStep.Verify => WorkflowResult.VerificationFailed,
        WorkflowStep.FetchProfile => WorkflowResult.NoProfile,
        _ => WorkflowResult.DeviceUnreachable,
    };

    private static ProvisioningFailed LastResort(WorkflowContext context, Exception refusal)
    {
        var summary = context.Summary;
        var step = summary.CurrentStep ?? WorkflowStep.Authenticate;
        return new ProvisioningFailed(summary.SerialNumber, InternalErrorResult(step), step,
            $"{step.Name()}: internal error: the store refused this step's events ({refusal.GetType().Name})", 0, null, [], [],
            (long)(DateTimeOffset.UtcNow - summary.CreatedAt).TotalMilliseconds, null, null, null, TraceRef.Current);
    }

    private void OnTerminal(WorkflowContext context)
    {
        var summary = context.Summary;
        var result = summary.Result ?? WorkflowResult.Cancelled;
        var duration = ((summary.CompletedAt ?? DateTimeOffset.UtcNow) - summary.CreatedAt).TotalMilliseconds;
        OrchestratorTelemetry.ProvisionDuration.Record(duration,
            new KeyValuePair<string, object?>("cpe.model", summary.Model ?? "unknown"),
            new KeyValuePair<string, object?>("cpe.service_plan", summary.ServicePlan ?? "none"),
            new KeyValuePair<string, object?>("result", result.Name()));
        OrchestratorTelemetry.ProvisionCount.Add(1, new KeyValuePair<string, object?>("result", result.Name()));
        Log.Ended(logger, summary.Id, summary.SerialNumber, result.Name(), summary.FailureReason);

        if (summary.Result is WorkflowResult.UnknownDevice) return;
        // Let the adapter end a held device session now rather than after its grace period. Best effort. The
        // instance that holds the session is the one the last step reached (push and verify read the route).
        var target = WorkflowContextLoader.Target(context);
        _ = ReleaseAsync(target, context.RouteKnown ? context.Route : null, summary.Id);
    }

    private async Task ReleaseAsync(DeviceDescriptor target, string? route, Guid workflowId)
    {
        try
        {
            await adapters.For(target.Protocol, route).ReleaseAsync(
                new ReleaseRequest { Device = SouthboundCalls.ToRef(target), WorkflowId = workflowId.ToString() },
                deadline: DateTime.UtcNow.AddSeconds(5));
        }
        catch (Exception e) when (e is global::Grpc.Core.RpcException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            Log.ReleaseFailed(logger, workflowId, e.Message);
        }
    }

    private async Task<WorkflowSummary?> LoadAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The database went away (restart, failover, network): worth trying the same append again.</summary>
    private static bool IsTransient(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException) return true;
            if (inner is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "08006" or "08001" or "08003" }) return true;
        }
        return false;
    }

    private sealed class LeaseLostException(Guid workflowId) : Exception($"workflow {workflowId} is held by another instance");
}

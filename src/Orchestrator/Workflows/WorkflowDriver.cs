using Provisioning.ServiceDefaults.Telemetry;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Drives one workflow from its current step to a terminal event: runs a step, asks <see cref="WorkflowDecision"/>
/// what follows, and has <see cref="WorkflowStore"/> append it with the version it was decided on (optimistic
/// concurrency, fenced by the lease), so a concurrent cancel or another driver makes this one stop rather than
/// write over it.
/// </summary>
public sealed class WorkflowDriver(
    WorkflowStore workflows,
    Coordination.WorkflowLeases leases,
    IEnumerable<IWorkflowStep> steps,
    DeviceAdapters adapters,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowDriver> logger)
{
    private readonly Dictionary<WorkflowStep, IWorkflowStep> _steps = steps.ToDictionary(s => s.Step);

    public async Task DriveAsync(Guid workflowId, Activity? root, CancellationToken interrupted, CancellationToken stopping)
    {
        var summary = await workflows.LoadAsync(workflowId, stopping);
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
                await workflows.AppendAsync(context, WorkflowDecision.Resume(summary, leases.Me), stopping);
            }

            while (!context.Summary.IsTerminal)
            {
                var step = context.Summary.CurrentStep ?? WorkflowStep.Authenticate;
                var outcome = await RunStepAsync(step, context, cancel.Token);
                if (stopping.IsCancellationRequested) return; // left Running in the store: resumed at the next start
                if (interrupted.IsCancellationRequested)
                {
                    var held = context.Held;
                    context.Stores(await workflows.LoadAsync(workflowId, stopping) ?? context.Stored);
                    if (context.Summary.IsTerminal) break;
                    if (held.Count > 0) context.Hold(WorkflowSummaryProjection.Fold(context.Summary, held, DateTimeOffset.UtcNow), held);
                }
                // Reaching the device may have moved it to another adapter instance (a Connection Request's session).
                if (step == WorkflowStep.Authenticate) WorkflowContextLoader.ForgetRoute(context);
                var decision = WorkflowDecision.After(step, outcome, context.Summary, context.Profile?.PlanName ?? WorkflowContextLoader.PlanName(context));
                if (WorksOnStoreAlone(decision.Decided.CurrentStep))
                {
                    context.Hold(decision.Decided, decision.Events);
                    continue;
                }
                await workflows.AppendAsync(context, decision, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down, or another instance holds the workflow now: it stays Running for whoever holds it.
        }
        catch (WorkflowLeaseLostException)
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
            return StepOutcome.Failed(WorkflowDecision.WorkflowDeadlinePassed(step));
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
                outcome = StepOutcome.Failed(WorkflowDecision.StepDeadlinePassed(step));
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not Npgsql.NpgsqlException)
            {
                Log.StepCrashed(logger, e, context.WorkflowId, step.Name());
                outcome = StepOutcome.Failed(WorkflowDecision.InternalError(step, e));
            }
        }

        var failed = outcome.Failure is not null;
        OrchestratorTelemetry.StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("step", step.Name()),
            new KeyValuePair<string, object?>("outcome", (outcome.Failure?.Result ?? WorkflowResult.Success).Name()));
        if (failed && span is not null)
        {
            span.SetTag("cpe.fault_code", outcome.Failure!.FaultCode);
            span.SetTag("cpe.result", outcome.Failure.Result.Name());
            span.SetStatus(ActivityStatusCode.Error, outcome.Failure.Reason);
        }
        return outcome;
    }

    private bool WorksOnStoreAlone(WorkflowStep? step) => step is { } s && _steps.TryGetValue(s, out var next) && !next.ReachesDevice;

    private void OnTerminal(WorkflowContext context)
    {
        var summary = context.Summary;
        var result = summary.Result ?? WorkflowResult.Cancelled;
        var duration = ((summary.CompletedAt ?? DateTimeOffset.UtcNow) - summary.CreatedAt).TotalMilliseconds;
        OrchestratorTelemetry.ProvisionDuration.Record(duration,
            new KeyValuePair<string, object?>("cpe.model", summary.Model ?? "unknown"),
            new KeyValuePair<string, object?>("cpe.service_plan", summary.ServicePlan ?? "none"),
            new KeyValuePair<string, object?>("result", result.Name()),
            new KeyValuePair<string, object?>("cpe.workflow_kind", summary.Kind.Name()));
        OrchestratorTelemetry.ProvisionCount.Add(1, new KeyValuePair<string, object?>("result", result.Name()),
            new KeyValuePair<string, object?>("cpe.workflow_kind", summary.Kind.Name()));
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

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}

using JasperFx;
using Marten;
using Npgsql;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// The one writer of workflow streams: a workflow's first commit (with its device claim and lease), the driver's
/// appends (fenced by the lease, at the version they were decided on, retried while the database is away) and
/// cancels. Each write is one <see cref="WorkflowDecision"/>, so what is decided is what is stored.
/// </summary>
public sealed partial class WorkflowStore(IDocumentStore store, WorkflowLeases leases, WorkflowCommits commits, ILogger<WorkflowStore> logger)
{
    public async Task<WorkflowSummary?> LoadAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken);
    }

    /// <summary>The workflow this request already started (same request id: replayed), or the device's active one.</summary>
    public async Task<StartOutcome?> EarlierAsync(StartRequest request, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        if (request.RequestId is { Length: > 0 } requestId &&
            await query.LoadAsync<ProvisionRequestRecord>(requestId, cancellationToken) is { } earlier &&
            await query.LoadAsync<WorkflowSummary>(earlier.WorkflowId, cancellationToken) is { } replayed)
        {
            return new StartOutcome(replayed, Existing: false, Replayed: true);
        }
        if (await query.LoadAsync<ActiveWorkflowClaim>(request.Device.SerialNumber, cancellationToken) is { } claim &&
            await query.LoadAsync<WorkflowSummary>(claim.WorkflowId, cancellationToken) is { } active)
        {
            return new StartOutcome(active, Existing: true, Replayed: false);
        }
        return null;
    }

    /// <summary>
    /// Commits a new workflow: its stream, the device's claim and the request record together, so the database enforces
    /// one active workflow per device and idempotency on the request id. The accepting instance holds the lease from
    /// this first commit on. False when another request for the device (or with this id) committed first and
    /// <paramref name="mayRetry"/>: the caller looks for that one.
    /// </summary>
    public async Task<bool> StartAsync(WorkflowDecision accepted, StartRequest request, bool mayRetry, CancellationToken cancellationToken)
    {
        // In a group with other workflows' writes first; one that did not commit there (a device claimed meanwhile,
        // say) is written alone, where the refusal is told apart.
        if (await commits.CommitAsync(session => QueueStart(session, accepted, request), cancellationToken)) return true;
        await using var session = store.LightweightSession();
        QueueStart(session, accepted, request);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DocumentAlreadyExistsException) when (mayRetry)
        {
            return false;
        }
    }

    private void QueueStart(IDocumentSession session, WorkflowDecision accepted, StartRequest request)
    {
        var workflowId = accepted.Decided.Id;
        var serial = request.Device.SerialNumber;
        object[] events = [.. accepted.Events];
        session.Events.StartStream<WorkflowSummary>(workflowId, events);
        session.Insert(new ActiveWorkflowClaim(serial, workflowId));
        if (request.RequestId is { Length: > 0 }) session.Insert(new ProvisionRequestRecord(request.RequestId, workflowId));
        if (request.Route is { } route) session.Store(route);
        if (request.DeviceFact is { } fact)
            session.Events.Append(DeviceStream.For(serial), fact(workflowId, accepted.Events[0].Trace.TraceId));
        var (leaseSql, leaseParameters) = leases.InsertFor(workflowId);
        session.QueueSqlCommand(leaseSql, leaseParameters);
    }

    /// <summary>
    /// Stores an operator's cancel, deciding it again on what is stored when the workflow moved on meanwhile. Not fenced:
    /// any instance may cancel; the driving one sees its next append refused and stops.
    /// </summary>
    /// <returns>Whether the cancel was stored; if not, the workflow as it had already ended (null: it does not exist).</returns>
    public async Task<(bool Stored, WorkflowSummary? Ended)> CancelAsync(Guid workflowId, Func<WorkflowSummary, WorkflowDecision> cancel, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using var session = store.LightweightSession();
            var summary = await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken);
            if (summary is null || summary.IsTerminal) return (false, summary);

            var decision = cancel(summary);
            object[] events = [.. decision.Events];
            session.Events.Append(workflowId, summary.Version + events.Length, events);
            session.Delete<ActiveWorkflowClaim>(summary.SerialNumber);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (ConcurrencyException)
            {
                continue; // the workflow moved on meanwhile: look again
            }
            return (true, null);
        }
        throw new InvalidOperationException($"workflow {workflowId} kept changing while being cancelled");
    }

    /// <summary>
    /// Appends the held events and the decision's at the version they were decided on. A terminal append also frees
    /// the device for its next workflow. On return <paramref name="context"/> holds what is stored: the decision, or
    /// (when someone else wrote to the stream, a cancel) the stored state for the driver to decide on again. Commits
    /// in a group with other workflows' appends ready at the same moment (<see cref="WorkflowCommits"/>); an append
    /// whose group did not commit is tried again alone, where its own failure is handled.
    /// </summary>
    /// <exception cref="WorkflowLeaseLostException">Another instance holds the workflow now; nothing was written.</exception>
    public async Task AppendAsync(WorkflowContext context, WorkflowDecision decision, CancellationToken stopping)
    {
        if (await commits.CommitAsync(context, decision, stopping))
        {
            context.Stores(decision.Decided);
            return;
        }
        await AppendAloneAsync(context, decision, stopping);
    }

    private async Task AppendAloneAsync(WorkflowContext context, WorkflowDecision decision, CancellationToken stopping)
    {
        var attempt = 0;
        var lastResort = false;
        var all = WorkflowAppend.Events(context, decision);
        while (true)
        {
            try
            {
                await using var session = store.LightweightSession();
                WorkflowAppend.Queue(session, leases, context, all, decision);
                await session.SaveChangesAsync(stopping);
                context.Stores(decision.Decided);
                return;
            }
            catch (ConcurrencyException)
            {
                // Someone else wrote to the stream (a cancel): take the stored state and let the driver decide.
                context.Stores(await LoadCurrentAsync(context.WorkflowId, stopping) ?? context.Stored);
                return;
            }
            catch (Exception e) when (WorkflowLeases.IsLeaseLost(e))
            {
                throw new WorkflowLeaseLostException(context.WorkflowId);
            }
            catch (Exception e) when (IsTransient(e) && attempt++ < 30 && !stopping.IsCancellationRequested)
            {
                // The database is away (restart, failover): keep the decision and try again.
                Log.StoreUnavailable(logger, context.WorkflowId, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stopping);
            }
            catch (Exception e) when (!IsTransient(e) && !lastResort && !stopping.IsCancellationRequested)
            {
                // The store refuses these events for good: end the workflow rather than let it run forever.
                Log.EventsRefused(logger, e, context.WorkflowId);
                lastResort = true;
                // Nothing of the refused events is kept, held ones included: the failure is the stored step's.
                context.Stores(context.Stored);
                decision = WorkflowDecision.Refused(context.Summary, e);
                all = [.. decision.Events];
            }
        }
    }

    /// <summary>
    /// The workflow as its stream holds it now. The summary document normally is that; one whose version is not the
    /// stream's (an event appended without the version it was decided on) is folded again from the stream, or every
    /// append decided on it would conflict for ever.
    /// </summary>
    private async Task<WorkflowSummary?> LoadCurrentAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        var summary = await query.LoadAsync<WorkflowSummary>(workflowId, cancellationToken);
        var stream = await query.Events.FetchStreamStateAsync(workflowId, cancellationToken);
        if (summary is null || stream is null || summary.Version == stream.Version) return summary;
        Log.SummaryRefolded(logger, workflowId, summary.Version, stream.Version);
        return await query.Events.AggregateStreamAsync<WorkflowSummary>(workflowId, token: cancellationToken) ?? summary;
    }

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
}


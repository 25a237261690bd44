using Marten;
using JasperFx;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

public sealed record StartRequest(
    DeviceDescriptor Device,
    string? RequestId,
    WorkflowTrigger Trigger,
    string? ServicePlanOverride = null,
    Guid? RetryOf = null,
    IReadOnlyList<string>? EventCodes = null,
    bool ClaimSeenFree = false,
    // A contact's route, committed with the new workflow (not stored when an earlier workflow is answered).
    Devices.DeviceRoute? Route = null,
    // A fact for the device's own stream that names the new workflow (a factory reset), committed with its start.
    Func<Guid, string, Devices.IDeviceContactEvent>? DeviceFact = null);

public sealed record StartOutcome(WorkflowSummary Workflow, bool Existing, bool Replayed);

/// <summary>
/// Accepts a workflow: idempotent on the caller's request id and at most one active workflow per device,
/// both enforced by the database (the stream, the device claim and the request record commit together).
/// </summary>
public sealed class WorkflowStarter(IDocumentStore store, WorkflowRunner runner, Coordination.WorkflowLeases leases, IOptions<WorkflowOptions> options, ILogger<WorkflowStarter> logger)
{
    public async Task<StartOutcome> StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        var serial = request.Device.SerialNumber;
        for (var attempt = 0; ; attempt++)
        {
            // A contact has just read that the device has no active workflow: the unique claim insert below still
            // guards the race, so the first attempt need not read it again.
            var seenFree = attempt == 0 && request.ClaimSeenFree && string.IsNullOrEmpty(request.RequestId);
            if (!seenFree && await EarlierAsync(request, cancellationToken) is { } earlier) return earlier;

            var workflowId = Guid.CreateVersion7();
            var root = WorkflowSpans.StartRoot(workflowId, request.Device, request.Trigger);
            var requested = new ProvisioningRequested(
                request.Device, request.RequestId, request.Trigger, request.ServicePlanOverride, request.RetryOf,
                request.EventCodes ?? [], DateTimeOffset.UtcNow + options.Value.WorkflowTimeout, TraceRef.Of(root));

            await using var session = store.LightweightSession();
            session.Events.StartStream<WorkflowSummary>(workflowId, requested);
            session.Insert(new ActiveWorkflowClaim(serial, workflowId));
            if (request.RequestId is { Length: > 0 }) session.Insert(new ProvisionRequestRecord(request.RequestId, workflowId));
            if (request.Route is { } route) session.Store(route);
            if (request.DeviceFact is { } fact)
                session.Events.Append(Devices.DeviceStream.For(serial), fact(workflowId, requested.Trace.TraceId));
            // The accepting instance drives the workflow; it holds the lease from the first commit on.
            var (leaseSql, leaseParameters) = leases.InsertFor(workflowId);
            session.QueueSqlCommand(leaseSql, leaseParameters);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (DocumentAlreadyExistsException) when (attempt < 10)
            {
                // Another request for this device (or with this request id) committed first: answer with its workflow.
                WorkflowSpans.Discard(root);
                continue;
            }
            catch
            {
                WorkflowSpans.Discard(root);
                throw;
            }

            var summary = WorkflowSummaryFolding.Start(workflowId, requested, DateTimeOffset.UtcNow);
            Log.Accepted(logger, workflowId, serial, request.Trigger);
            runner.Enqueue(workflowId, root);
            return new StartOutcome(summary, Existing: false, Replayed: false);
        }
    }

    /// <summary>The workflow this request already started (same request id), or the device's active one.</summary>
    private async Task<StartOutcome?> EarlierAsync(StartRequest request, CancellationToken cancellationToken)
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
}

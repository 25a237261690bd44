using Microsoft.Extensions.Options;
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
    Func<Guid, string, Devices.IDeviceContactEvent>? DeviceFact = null,
    WorkflowKind Kind = WorkflowKind.Provision,
    IReadOnlyList<string>? ParameterNames = null,
    IReadOnlyList<RequestedParameter>? Parameters = null,
    Guid? CampaignId = null,
    // upgrade_firmware: the image asked for (null: the model profile's target).
    FirmwareImage? Firmware = null);

public sealed record StartOutcome(WorkflowSummary Workflow, bool Existing, bool Replayed);

/// <summary>
/// Accepts a workflow: idempotent on the caller's request id and at most one active workflow per device,
/// both enforced by the database (the stream, the device claim and the request record commit together).
/// </summary>
public sealed class WorkflowStarter(WorkflowStore workflows, WorkflowRunner runner, IOptions<WorkflowOptions> options, ILogger<WorkflowStarter> logger)
{
    public async Task<StartOutcome> StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            // A contact has just read that the device has no active workflow: the unique claim insert below still
            // guards the race, so the first attempt need not read it again.
            var seenFree = attempt == 0 && request.ClaimSeenFree && string.IsNullOrEmpty(request.RequestId);
            if (!seenFree && await workflows.EarlierAsync(request, cancellationToken) is { } earlier) return earlier;

            var workflowId = Guid.CreateVersion7();
            var root = WorkflowSpans.StartRoot(workflowId, request.Device, request.Trigger, request.Kind);
            var accepted = WorkflowDecision.Accept(workflowId, request, DateTimeOffset.UtcNow + options.Value.WorkflowTimeoutOf(request.Kind), TraceRef.Of(root));
            bool committed;
            try
            {
                committed = await workflows.StartAsync(accepted, request, mayRetry: attempt < 10, cancellationToken);
            }
            catch
            {
                WorkflowSpans.Discard(root);
                throw;
            }
            if (!committed)
            {
                // Another request for this device (or with this request id) committed first: answer with its workflow.
                WorkflowSpans.Discard(root);
                continue;
            }

            Log.Accepted(logger, workflowId, request.Device.SerialNumber, request.Trigger);
            runner.Enqueue(workflowId, root);
            return new StartOutcome(accepted.Decided, Existing: false, Replayed: false);
        }
    }
}

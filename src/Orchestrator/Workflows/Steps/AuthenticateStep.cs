using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>Reach the device through its adapter and check that who answered is the device in the inventory.</summary>
public sealed class AuthenticateStep(WorkflowContextLoader loader, DeviceAdapters adapters, SouthboundCalls calls) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.Authenticate;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var serial = context.Summary.SerialNumber;
        var (device, route) = await loader.DeviceAndRouteAsync(context, cancellationToken);
        if (device is null)
            return StepOutcome.Failed(WorkflowDecision.UnknownDevice($"authenticate: device '{serial}' is not in the inventory"));

        Activity.Current?.SetTag("cpe.customer_id", device.CustomerId);
        Activity.Current?.SetTag("cpe.location_id", device.LocationId);
        var target = WorkflowContextLoader.Target(context);
        if (!string.IsNullOrEmpty(device.Oui) && !string.IsNullOrEmpty(target.Oui) && !string.Equals(device.Oui, target.Oui, StringComparison.OrdinalIgnoreCase))
            return StepOutcome.Failed(WorkflowDecision.UnknownDevice($"authenticate: device '{serial}' has OUI {target.Oui}, the inventory says {device.Oui}"));

        var adapter = adapters.For(target.Protocol, route);
        var request = new AuthenticateRequest { Device = SouthboundCalls.ToRef(target), WorkflowId = context.WorkflowId.ToString() };
        var (response, failure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.AuthenticateAsync(request, o));
        if (failure is not null) return StepOutcome.Failed(failure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));

        var identity = response.Identity ?? new DeviceIdentity();
        var answered = identity.Device?.SerialNumber ?? "";
        if (!string.Equals(answered, serial, StringComparison.OrdinalIgnoreCase))
            return StepOutcome.Failed(WorkflowDecision.UnknownDevice($"authenticate: the device that answered is '{DeviceText.Printable(answered)}', not '{serial}'"));
        var answeredOui = identity.Device?.Oui ?? "";
        if (!string.IsNullOrEmpty(device.Oui) && !string.IsNullOrEmpty(answeredOui) && !string.Equals(answeredOui, device.Oui, StringComparison.OrdinalIgnoreCase))
            return StepOutcome.Failed(WorkflowDecision.UnknownDevice($"authenticate: device '{serial}' reports OUI {DeviceText.Printable(answeredOui)}, the inventory says {device.Oui}"));

        Activity.Current?.SetTag("cpe.model", DeviceText.Printable(identity.Model));
        Activity.Current?.SetTag("cpe.firmware_version", DeviceText.Printable(identity.FirmwareVersion));
        return StepOutcome.Done(new DeviceAuthenticated(
            serial,
            DeviceText.Printable(identity.Manufacturer),
            DeviceText.Printable(identity.Model),
            DeviceText.Printable(identity.FirmwareVersion),
            DeviceText.Printable(identity.HardwareVersion),
            string.IsNullOrEmpty(identity.DataModelRoot) ? ServicePlans.ProfileRenderer.Tr181Root : DeviceText.Printable(identity.DataModelRoot, 64),
            response.ReachedVia.ToString(),
            device.CustomerId,
            device.LocationId,
            TraceRef.Current));
    }
}

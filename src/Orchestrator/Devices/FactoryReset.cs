using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// How a provisioned device says it lost its settings: a CWMP 0 BOOTSTRAP (TR-069 requires it after a factory reset),
/// a USP Boot! whose Cause is LocalFactoryReset/RemoteFactoryReset, or a USP agent found without the controller's Boot!
/// subscription (it was created persistent on first contact, so only a reset loses it).
/// </summary>
public static class FactoryReset
{
    /// <summary>The cause to put on record, or null when this contact is not a factory reset of a provisioned device.</summary>
    public static string? CauseOf(DeviceContactReport report, DeviceRecord? device)
    {
        if (device is not { Provisioned: true }) return null;
        var protocol = report.Identity.Device.Protocol == DeviceProtocol.Unspecified ? device.Protocol : report.Identity.Device.Protocol;
        if (protocol == DeviceProtocol.Cwmp)
            return report.EventCodes.Any(c => c.Trim().Equals(Workflows.ZeroTouch.Bootstrap, StringComparison.OrdinalIgnoreCase)) ? Workflows.ZeroTouch.Bootstrap : null;
        if (report.BootCause.Trim() is "LocalFactoryReset" or "RemoteFactoryReset") return "Boot! " + report.BootCause.Trim();
        return report.BootSubscriptionMissing ? "Boot! subscription missing" : null;
    }
}

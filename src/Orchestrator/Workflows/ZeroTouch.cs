using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Devices;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>Which device contacts start a zero-touch workflow.</summary>
public static class ZeroTouch
{
    public const string Bootstrap = "0 BOOTSTRAP";
    public const string Boot = "1 BOOT";
    public static readonly string[] UspFirstContact = ["Boot!", "OnBoardRequest", "websocket_connect", "mqtt_connect"];

    /// <summary>
    /// CWMP: a 0 BOOTSTRAP always (the device was reset or is new; even when unknown, so the attempt is on record),
    /// a 1 BOOT of a registered device not yet provisioned. USP: Boot!, OnBoardRequest or first MTP contact of a
    /// registered agent not yet provisioned. Periodic and other contacts never.
    /// </summary>
    public static bool Starts(DeviceProtocol protocol, IReadOnlyCollection<string> eventCodes, DeviceRecord? device)
    {
        if (protocol == DeviceProtocol.Usp || (protocol == DeviceProtocol.Unspecified && device?.Protocol == DeviceProtocol.Usp))
        {
            return device is { Provisioned: false } && eventCodes.Any(c => UspFirstContact.Contains(c, StringComparer.Ordinal));
        }
        if (eventCodes.Any(c => c.Trim().Equals(Bootstrap, StringComparison.OrdinalIgnoreCase))) return true;
        return device is { Provisioned: false } && eventCodes.Any(c => c.Trim().Equals(Boot, StringComparison.OrdinalIgnoreCase));
    }
}

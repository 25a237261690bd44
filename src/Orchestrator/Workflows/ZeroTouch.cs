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
    /// CWMP: a 0 BOOTSTRAP of a registered device (the device was reset or is new; an unregistered one is only put on
    /// record, see DeviceContactsGrpcService), a 1 BOOT of a registered device not yet provisioned. USP: Boot!, OnBoardRequest or first MTP contact of a
    /// registered agent not yet provisioned. Periodic and other contacts never.
    /// </summary>
    public static bool Starts(DeviceProtocol protocol, IReadOnlyCollection<string> eventCodes, DeviceRecord? device)
    {
        if (protocol == DeviceProtocol.Usp || (protocol == DeviceProtocol.Unspecified && device?.Protocol == DeviceProtocol.Usp))
        {
            return device is { Provisioned: false } && eventCodes.Any(c => UspFirstContact.Contains(c, StringComparer.Ordinal));
        }
        if (device is not null && eventCodes.Any(c => c.Trim().Equals(Bootstrap, StringComparison.OrdinalIgnoreCase))) return true;
        return device is { Provisioned: false } && eventCodes.Any(c => c.Trim().Equals(Boot, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A contact an unregistered device would have been provisioned on: a CWMP 0 BOOTSTRAP, a USP first contact.</summary>
    public static bool FirstContact(DeviceProtocol protocol, IReadOnlyCollection<string> eventCodes) =>
        protocol == DeviceProtocol.Usp
            ? eventCodes.Any(c => UspFirstContact.Contains(c, StringComparer.Ordinal))
            : eventCodes.Any(c => c.Trim().Equals(Bootstrap, StringComparison.OrdinalIgnoreCase));
}

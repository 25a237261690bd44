using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// A device's own event stream (refused contacts, credential life cycle, factory resets), apart from its workflow
/// streams. Streams are keyed by Guid, so the device's key (serial number, or "eid:" + endpoint id for an agent known
/// only by it) is hashed into one: every instance finds the same stream without a lookup.
/// </summary>
public static class DeviceStream
{
    public static Guid For(string deviceKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("cpe-device-stream:" + deviceKey));
        // RFC 9562 version 8 (custom) so it can never collide with the workflows' version 7 ids.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>The key of a device as a contact names it: its serial number, else its endpoint id.</summary>
    public static string KeyOf(string? serialNumber, string? endpointId) =>
        !string.IsNullOrWhiteSpace(serialNumber) ? serialNumber.Trim() : "eid:" + (endpointId ?? "").Trim();
}

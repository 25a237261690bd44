using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// One stored contact record and how many equal ones its window held (id: device key, reason, window start). The event
/// in the device's stream is the fact; this row carries the count, so later equal contacts cost an increment, not a row.
/// </summary>
public sealed class ContactWindow
{
    public string Id { get; set; } = "";
    public string DeviceKey { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Reason { get; set; } = "";
    public DeviceProtocol Protocol { get; set; }
    public bool Registered { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset FirstAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public long Count { get; set; }
    public Guid EventId { get; set; }

    public static string IdOf(string deviceKey, string reason, DateTimeOffset windowStart) => $"{deviceKey}|{reason}|{windowStart.UtcTicks}";
}

/// <summary>
/// Contacts beyond the bounds (unregistered devices past the per-window limit, or past the memory bound): only counted,
/// per reason, protocol, window and orchestrator instance (each instance writes its own row, no contention).
/// </summary>
public sealed class ContactOverflow
{
    public string Id { get; set; } = "";
    public string Reason { get; set; } = "";
    public DeviceProtocol Protocol { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public long Count { get; set; }
    /// <summary>Distinct devices among them as far as this instance remembered them (an upper bound past the memory bound).</summary>
    public long Devices { get; set; }
}

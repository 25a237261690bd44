using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Devices;

/// <summary>A contact worth a record (refused, or still on the previous credential), before deduplication decides whether it is stored.</summary>
public sealed record ContactNote(
    string DeviceKey,
    string SerialNumber,
    string EndpointId,
    DeviceProtocol Protocol,
    bool Registered,
    string Kind,
    string Reason,
    string Detail = "",
    string RemoteAddress = "",
    string Username = "",
    IReadOnlyList<string>? EventCodes = null);

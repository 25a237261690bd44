using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// A device in the operator's inventory, keyed by serial number. Passwords are kept here for the
/// southbound (Digest HA1, Connection Requests) and never leave the orchestrator in clear via reads, events or logs.
/// </summary>
public sealed record DeviceRecord
{
    public string Id { get; init; } = "";
    public string Oui { get; init; } = "";
    public string ProductClass { get; init; } = "";
    public DeviceProtocol Protocol { get; init; }
    public string EndpointId { get; init; } = "";
    public string CustomerId { get; init; } = "";
    public string ServicePlan { get; init; } = "";
    public string LocationId { get; init; } = "";
    public string CwmpUsername { get; init; } = "";
    /// <summary>Digest HA1 of the CWMP password: what the ACS verifies a CPE with.</summary>
    public string CwmpPassword { get; init; } = "";
    /// <summary>The same password encrypted: what provisioning writes to the CPE (ManagementServer.Password).</summary>
    public string CwmpPasswordProtected { get; init; } = "";
    public string ConnectionRequestUsername { get; init; } = "";
    public string ConnectionRequestPassword { get; init; } = "";
    public bool Provisioned { get; init; }
    public DateTimeOffset? ProvisionedAt { get; init; }

    public string SerialNumber => Id;
}

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
    /// <summary>CWMP: the device's own bootstrap secret (its label password) as "ha1:" + its Digest HA1; only it opens a bootstrap session.</summary>
    public string BootstrapUsername { get; init; } = "";
    public string BootstrapPassword { get; init; } = "";
    /// <summary>USP: the agent's secret as hex SHA-256(salt bytes || UTF-8 secret) and its random 16-byte salt in hex.</summary>
    public string AgentSecretSha256 { get; init; } = "";
    public string AgentSecretSalt { get; init; } = "";
    /// <summary>USP: the same secret as mosquitto's PBKDF2-SHA512 hash (<c>$7$...</c>), the agent's login to a local MQTT broker.</summary>
    public string AgentBrokerPasswordHash { get; init; } = "";
    public bool Provisioned { get; init; }
    public DateTimeOffset? ProvisionedAt { get; init; }

    public string SerialNumber => Id;
}

using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Facts at a device's door, outside any workflow, in the device's own stream (<see cref="DeviceStream"/>). They are not
/// workflow events: the provisioning feed and the workflow projections pass them by. No secret, no password, ever.
/// </summary>
public interface IDeviceContactEvent
{
    string DeviceKey { get; }
    DeviceProtocol Protocol { get; }
}

/// <summary>A contact an adapter (or the orchestrator's policy) refused. Equal ones in the same window are counted, not stored.</summary>
public sealed record DeviceContactRefused(
    string DeviceKey, string SerialNumber, string EndpointId, DeviceProtocol Protocol, bool Registered,
    string Reason, string Detail, string RemoteAddress, string Username, IReadOnlyList<string> EventCodes,
    DateTimeOffset WindowStart) : IDeviceContactEvent;

/// <summary>The device was given a new credential it has not proved yet; the previous one works until <paramref name="Until"/>.</summary>
public sealed record CredentialPending(
    string DeviceKey, DeviceProtocol Protocol, string PreviousCredential, DateTimeOffset Until, Guid? WorkflowId, string TraceId) : IDeviceContactEvent;

/// <summary>The device authenticated with its own credential for the first time since it was given it.</summary>
public sealed record CredentialAdopted(string DeviceKey, DeviceProtocol Protocol, string RemoteAddress) : IDeviceContactEvent;

/// <summary>
/// The device still uses the credential it had before: while the window lasts (<paramref name="WindowEnded"/> false,
/// counted once per contact window), or the window ended and the previous credential is no longer offered.
/// </summary>
public sealed record CredentialNotAdopted(
    string DeviceKey, DeviceProtocol Protocol, bool WindowEnded, string Detail, string RemoteAddress, DateTimeOffset WindowStart) : IDeviceContactEvent;

/// <summary>A provisioned device came back with factory settings; <paramref name="WorkflowId"/> is its re-provisioning (null when refused).</summary>
public sealed record FactoryResetDetected(
    string DeviceKey, DeviceProtocol Protocol, string Cause, Guid? WorkflowId, string TraceId, string RemoteAddress) : IDeviceContactEvent;

/// <summary>The kinds and reasons as the API names them.</summary>
public static class ContactKinds
{
    public const string Refused = "contact_refused";
    public const string CredentialPending = "credential_pending";
    public const string CredentialAdopted = "credential_adopted";
    public const string CredentialNotAdopted = "credential_not_adopted";
    public const string FactoryReset = "factory_reset";
}

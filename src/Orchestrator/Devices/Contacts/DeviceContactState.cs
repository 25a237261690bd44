namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// What a contact of a registered device needs from the store besides the workflow waiting for it: the inventory
/// record, the route it was last heard on and where its CWMP credential stands. Kept in memory by
/// <see cref="DeviceContactCache"/>; the records are immutable, the credential is handed out as a copy (its life cycle
/// changes it in place before saving).
/// </summary>
public sealed record DeviceContactState(DeviceRecord Record, DeviceRoute? Route, DeviceCredential? Credential);

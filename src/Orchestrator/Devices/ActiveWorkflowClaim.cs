namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// At most one active workflow per device, enforced by the database: this document's id is the device's
/// serial number, inserted in the transaction that starts a workflow and deleted in the one that ends it.
/// A second insert for the same device fails as a duplicate key.
/// </summary>
public sealed record ActiveWorkflowClaim(string Id, Guid WorkflowId);

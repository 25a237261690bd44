namespace Provisioning.Orchestrator.Devices;

/// <summary>Idempotency of ProvisionDevice: the caller's request id (document id) and the workflow it started.</summary>
public sealed record ProvisionRequestRecord(string Id, Guid WorkflowId);

namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>A workflow was accepted: the first event of every workflow stream.</summary>
public sealed record ProvisioningRequested(
    DeviceDescriptor Device,
    string? RequestId,
    WorkflowTrigger Trigger,
    string? ServicePlanOverride,
    Guid? RetryOf,
    IReadOnlyList<string> EventCodes,
    DateTimeOffset Deadline,
    TraceRef Trace) : IWorkflowEvent
{
    public string SerialNumber => Device.SerialNumber;
}

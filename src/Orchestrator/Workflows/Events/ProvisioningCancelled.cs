namespace Provisioning.Orchestrator.Workflows.Events;

public sealed record ProvisioningCancelled(string SerialNumber, string Reason, string CancelledBy, long DurationMs, TraceRef Trace) : IWorkflowEvent;

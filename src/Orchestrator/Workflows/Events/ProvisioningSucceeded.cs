namespace Provisioning.Orchestrator.Workflows.Events;

public sealed record ProvisioningSucceeded(string SerialNumber, long DurationMs, TraceRef Trace) : IWorkflowEvent;

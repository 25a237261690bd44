namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The device accepted the FactoryReset; it comes back with factory settings (and its own bootstrap contact).</summary>
public sealed record FactoryResetAccepted(string SerialNumber, TraceRef Trace) : IWorkflowEvent;

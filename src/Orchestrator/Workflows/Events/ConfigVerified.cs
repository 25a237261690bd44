namespace Provisioning.Orchestrator.Workflows.Events;

public sealed record ConfigVerified(string SerialNumber, int ParameterCount, TraceRef Trace) : IWorkflowEvent;

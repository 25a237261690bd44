namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>An orchestrator instance picked the workflow up again after a restart, in a new trace linked to the original.</summary>
public sealed record WorkflowResumed(string SerialNumber, WorkflowStep Step, string Instance, TraceRef OriginalTrace, TraceRef Trace) : IWorkflowEvent;

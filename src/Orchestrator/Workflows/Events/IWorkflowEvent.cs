namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>Every event of a workflow stream names its device and the span that produced it.</summary>
public interface IWorkflowEvent
{
    string SerialNumber { get; }
    TraceRef Trace { get; }
}

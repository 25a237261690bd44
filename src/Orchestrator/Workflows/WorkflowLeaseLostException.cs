namespace Provisioning.Orchestrator.Workflows;

/// <summary>The workflow's lease went to another instance: this one stops driving it without writing anything.</summary>
public sealed class WorkflowLeaseLostException(Guid workflowId) : Exception($"workflow {workflowId} is held by another instance");

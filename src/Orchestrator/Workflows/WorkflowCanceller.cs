namespace Provisioning.Orchestrator.Workflows;

/// <summary>Cancels a running workflow: the cancel is stored first (optimistically), then the running step is interrupted.</summary>
public sealed class WorkflowCanceller(WorkflowStore workflows, WorkflowRunner runner)
{
    /// <returns>The workflow after the attempt (unchanged when it had already ended), or null when it does not exist.</returns>
    public async Task<WorkflowSummary?> CancelAsync(Guid workflowId, string reason, string cancelledBy, CancellationToken cancellationToken)
    {
        var (stored, ended) = await workflows.CancelAsync(workflowId, summary => WorkflowDecision.Cancel(summary, reason, cancelledBy), cancellationToken);
        if (!stored) return ended;
        runner.Interrupt(workflowId);
        return await workflows.LoadAsync(workflowId, cancellationToken);
    }
}

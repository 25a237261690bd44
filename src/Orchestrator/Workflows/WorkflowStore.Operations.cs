namespace Provisioning.Orchestrator.Workflows;

/// <summary>What the device operations need of the store beyond starting a workflow.</summary>
public sealed partial class WorkflowStore
{
    private static readonly TimeSpan EndPollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The workflow once it has ended, or as it stands when <paramref name="cancellationToken"/> fires (the caller's
    /// deadline). Polls its summary: an operation lasts seconds, and any instance may be driving it.
    /// </summary>
    public async Task<WorkflowSummary?> WaitForEndAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        WorkflowSummary? summary = null;
        try
        {
            while (true)
            {
                summary = await LoadAsync(workflowId, cancellationToken);
                if (summary is null || summary.IsTerminal) return summary;
                await Task.Delay(EndPollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return summary;
        }
    }
}

using JasperFx;
using Marten;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>Cancels a running workflow: the cancel is stored first (optimistically), then the running step is interrupted.</summary>
public sealed class WorkflowCanceller(IDocumentStore store, WorkflowRunner runner)
{
    /// <returns>The workflow after the attempt (unchanged when it had already ended), or null when it does not exist.</returns>
    public async Task<WorkflowSummary?> CancelAsync(Guid workflowId, string reason, string cancelledBy, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using var session = store.LightweightSession();
            var summary = await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken);
            if (summary is null || summary.IsTerminal) return summary;

            var duration = (long)(DateTimeOffset.UtcNow - summary.CreatedAt).TotalMilliseconds;
            session.Events.Append(workflowId, summary.Version + 1,
                new ProvisioningCancelled(summary.SerialNumber, reason, cancelledBy, duration, TraceRef.Current));
            session.Delete<ActiveWorkflowClaim>(summary.SerialNumber);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (ConcurrencyException)
            {
                continue; // the workflow moved on meanwhile: look again
            }
            runner.Interrupt(workflowId);
            return await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken);
        }
        throw new InvalidOperationException($"workflow {workflowId} kept changing while being cancelled");
    }
}

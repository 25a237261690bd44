using Marten;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Reports;

/// <summary>Rebuilds every projection from the events (the events are the truth; projections are disposable).</summary>
public sealed class ProjectionRebuilder(IDocumentStore store, ProjectionDaemonLeader? daemon = null)
{
    private const int Attempts = 3;

    public async Task<(IReadOnlyList<string> Projections, long Events)> RebuildAllAsync(CancellationToken cancellationToken)
    {
        // Where the async daemon runs here, pause it: two daemons writing the same projections race each other.
        if (daemon is null || !await daemon.WhilePausedAsync(() => RebuildAsync(cancellationToken), cancellationToken))
        {
            // The daemon runs in another instance (or nowhere): rebuild with a daemon of our own, trying again if
            // the running one wrote a shard at the same moment.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await RebuildAsync(cancellationToken);
                    break;
                }
                catch (Exception e) when (attempt < Attempts && e is not OperationCanceledException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
                }
            }
        }
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().CountAsync(cancellationToken);
        return ([nameof(WorkflowSummary), nameof(DeviceHistory), nameof(FailureStatistic)], events);
    }

    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        using var rebuilder = await store.BuildProjectionDaemonAsync();
        await rebuilder.RebuildProjectionAsync<WorkflowSummaryProjection>(cancellationToken);
        await rebuilder.RebuildProjectionAsync<DeviceHistoryProjection>(cancellationToken);
        await rebuilder.RebuildProjectionAsync<FailureStatisticsProjection>(cancellationToken);
    }
}

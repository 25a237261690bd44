using Marten;
using Marten.Events.Daemon.Coordination;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Reports;

/// <summary>Rebuilds every projection from the events (the events are the truth; projections are disposable).</summary>
public sealed class ProjectionRebuilder(IDocumentStore store, IProjectionCoordinator? coordinator = null)
{
    private const int Attempts = 3;
    // Pause and resume of this instance's daemon must not interleave: one rebuild at a time here.
    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task<(IReadOnlyList<string> Projections, long Events)> RebuildAllAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            // Where the async daemon runs here, pause it: two agents writing one projection race each other. Marten
            // keeps this instance's advisory locks while paused, so no other instance picks those projections up.
            if (coordinator is not null) await coordinator.PauseAsync();
            try
            {
                await RebuildWithRetriesAsync(cancellationToken);
            }
            finally
            {
                if (coordinator is not null) await coordinator.ResumeAsync();
            }
        }
        finally
        {
            _one.Release();
        }
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().CountAsync(cancellationToken);
        return ([nameof(WorkflowSummary), nameof(DeviceHistory), nameof(FailureStatistic)], events);
    }

    /// <summary>
    /// A projection another instance runs (HotCold) keeps running there: try again if it wrote a shard at the same
    /// moment as the rebuild.
    /// </summary>
    private async Task RebuildWithRetriesAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RebuildAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < Attempts && e is not OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        using var rebuilder = await store.BuildProjectionDaemonAsync();
        await rebuilder.RebuildProjectionAsync<WorkflowSummaryProjection>(cancellationToken);
        await rebuilder.RebuildProjectionAsync<DeviceHistoryProjection>(cancellationToken);
        await rebuilder.RebuildProjectionAsync<FailureStatisticsProjection>(cancellationToken);
    }
}

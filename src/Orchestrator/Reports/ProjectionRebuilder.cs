using Marten;
using JasperFx.Events.Daemon;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Reports;

/// <summary>Rebuilds every projection from the events (the events are the truth; projections are disposable).</summary>
public sealed class ProjectionRebuilder(IDocumentStore store, IServiceProvider services)
{
    public async Task<(IReadOnlyList<string> Projections, long Events)> RebuildAllAsync(CancellationToken cancellationToken)
    {
        // Where this instance runs the async daemon, rebuild through it (a second daemon would race it for the same
        // progress rows); elsewhere, a daemon of our own for the rebuild.
        var coordinator = services.GetService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        IProjectionDaemon? owned = null;
        var daemon = coordinator?.DaemonForMainDatabase() ?? (owned = await store.BuildProjectionDaemonAsync());
        try
        {
            await daemon.RebuildProjectionAsync<WorkflowSummaryProjection>(cancellationToken);
            await daemon.RebuildProjectionAsync<DeviceHistoryProjection>(cancellationToken);
            await daemon.RebuildProjectionAsync<FailureStatisticsProjection>(cancellationToken);
        }
        finally
        {
            owned?.Dispose();
        }
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().CountAsync(cancellationToken);
        return ([nameof(WorkflowSummary), nameof(DeviceHistory), nameof(FailureStatistic)], events);
    }
}

using Marten;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Reports;

/// <summary>Rebuilds every projection from the events (the events are the truth; projections are disposable).</summary>
public sealed class ProjectionRebuilder(IDocumentStore store)
{
    public async Task<(IReadOnlyList<string> Projections, long Events)> RebuildAllAsync(CancellationToken cancellationToken)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<WorkflowSummaryProjection>(cancellationToken);
        await daemon.RebuildProjectionAsync<DeviceHistoryProjection>(cancellationToken);
        await daemon.RebuildProjectionAsync<FailureStatisticsProjection>(cancellationToken);
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().CountAsync(cancellationToken);
        return ([nameof(WorkflowSummary), nameof(DeviceHistory), nameof(FailureStatistic)], events);
    }
}

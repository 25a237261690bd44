using Grpc.Core;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Server;

/// <summary>
/// The event stream has no "from now on" position, and following it from 0 sends the whole history first.
/// A cheap lower bound of the current end: the last event of the newest workflow. Every event at or before
/// it is already stored (it happened before we asked), so a live view can start right after it.
/// </summary>
public static class StreamHead
{
    public static async Task<long> EstimateAsync(ServerConnection connection, CancellationToken cancellationToken)
    {
        var newest = await connection.Provisioning.ListWorkflowsAsync(
            new ListWorkflowsRequest { PageSize = 1 }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
        if (newest.Workflows.Count == 0) return 0;

        using var stream = connection.Provisioning.StreamProvisioningEvents(
            new StreamProvisioningEventsRequest { WorkflowId = newest.Workflows[0].WorkflowId, Follow = false },
            deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
        long last = 0;
        await foreach (var e in stream.ResponseStream.ReadAllAsync(cancellationToken)) last = Math.Max(last, e.GlobalPosition);
        return last;
    }
}

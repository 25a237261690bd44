using JasperFx.Events;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Feed;

/// <summary>Which events a follower wants: one workflow, one device, or all. Only workflow events (not the admin audit).</summary>
public sealed record FeedFilter(Guid? WorkflowId, string? SerialNumber)
{
    public static readonly FeedFilter All = new(null, null);

    public bool Matches(IEvent e) =>
        e.Data is IWorkflowEvent &&
        (WorkflowId is null || e.StreamId == WorkflowId) &&
        (SerialNumber is null || (e.Data is IWorkflowEvent w && string.Equals(w.SerialNumber, SerialNumber, StringComparison.Ordinal)));
}

using JasperFx.Events;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Feed;

/// <summary>Which events a follower wants: one workflow, one device, or all.</summary>
public sealed record FeedFilter(Guid? WorkflowId, string? SerialNumber)
{
    public static readonly FeedFilter All = new(null, null);

    public bool Matches(IEvent e) =>
        (WorkflowId is null || e.StreamId == WorkflowId) &&
        (SerialNumber is null || (e.Data is IWorkflowEvent w && string.Equals(w.SerialNumber, SerialNumber, StringComparison.Ordinal)));
}

using JasperFx.Events;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Applies just-appended events to the driver's copy of the summary with the same projection the store uses
/// inline, so the driver does not read back after every step what it has just written.
/// </summary>
public static class WorkflowSummaryFolding
{
    private static readonly WorkflowSummaryProjection Projection = new();

    public static WorkflowSummary Fold(WorkflowSummary summary, IReadOnlyList<IWorkflowEvent> appended, DateTimeOffset at)
    {
        var version = summary.Version;
        foreach (var e in appended)
        {
            version++;
            summary = e switch
            {
                DeviceAuthenticated d => Projection.Apply(Wrap(d, summary, version, at), summary),
                ServiceProfileFetched p => Projection.Apply(Wrap(p, summary, version, at), summary),
                ConfigPushed c => Projection.Apply(Wrap(c, summary, version, at), summary),
                ConfigVerified v => Projection.Apply(Wrap(v, summary, version, at), summary),
                WorkflowResumed r => Projection.Apply(Wrap(r, summary, version, at), summary),
                ProvisioningSucceeded s => Projection.Apply(Wrap(s, summary, version, at), summary),
                ProvisioningFailed f => Projection.Apply(Wrap(f, summary, version, at), summary),
                ProvisioningCancelled c => Projection.Apply(Wrap(c, summary, version, at), summary),
                _ => summary,
            };
        }
        summary.Version = version;
        return summary;
    }

    /// <summary>The summary the first event of a new stream projects to.</summary>
    public static WorkflowSummary Start(Guid workflowId, ProvisioningRequested requested, DateTimeOffset at)
    {
        var summary = Projection.Create(new Event<ProvisioningRequested>(requested) { StreamId = workflowId, Version = 1, Timestamp = at });
        summary.Version = 1;
        return summary;
    }

    private static IEvent<T> Wrap<T>(T data, WorkflowSummary summary, long version, DateTimeOffset at) where T : notnull =>
        new Event<T>(data) { StreamId = summary.Id, Version = version, Timestamp = at };
}

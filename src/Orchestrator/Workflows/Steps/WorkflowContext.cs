using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>What one run of a workflow learns as it goes; rebuilt from the store when a workflow is resumed.</summary>
public sealed class WorkflowContext(WorkflowSummary summary)
{
    private WorkflowSummary? _stored;

    /// <summary>The workflow as this run knows it: what is stored, with <see cref="Held"/> already folded in.</summary>
    public WorkflowSummary Summary { get; private set; } = summary;
    /// <summary>The workflow as stored.</summary>
    public WorkflowSummary Stored => _stored ?? Summary;
    /// <summary>Events decided but not stored yet; they commit with the next step's (see IWorkflowStep.ReachesDevice).</summary>
    public IReadOnlyList<IWorkflowEvent> Held { get; private set; } = [];

    /// <summary>Keeps a step's events for the next commit; <paramref name="decided"/> is the summary with them folded in.</summary>
    public void Hold(WorkflowSummary decided, IReadOnlyList<IWorkflowEvent> events)
    {
        _stored ??= Summary;
        Summary = decided;
        Held = [.. Held, .. events];
    }

    /// <summary>What the store holds now (after an append, or as read back); nothing is held any more.</summary>
    public void Stores(WorkflowSummary stored)
    {
        Summary = stored;
        _stored = null;
        Held = [];
    }

    public DeviceRecord? Device { get; set; }
    public RenderedProfile? Profile { get; set; }
    /// <summary>The adapter instance holding the device, as last looked up (null: any instance).</summary>
    public string? Route { get; set; }
    public bool RouteKnown { get; set; }
    /// <summary>How the device numbered objects created by earlier workflows' pushes (null: not looked up yet).</summary>
    public IReadOnlyList<CreatedInstance>? KnownInstances { get; set; }
    public Guid WorkflowId => Summary.Id;
}

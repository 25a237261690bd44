using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>What one run of a workflow learns as it goes; rebuilt from the store when a workflow is resumed.</summary>
public sealed class WorkflowContext(WorkflowSummary summary)
{
    public WorkflowSummary Summary { get; set; } = summary;
    public DeviceRecord? Device { get; set; }
    public RenderedProfile? Profile { get; set; }
    /// <summary>The adapter instance holding the device, as last looked up (null: any instance).</summary>
    public string? Route { get; set; }
    public bool RouteKnown { get; set; }
    /// <summary>How the device numbered objects created by earlier workflows' pushes (null: not looked up yet).</summary>
    public IReadOnlyList<CreatedInstance>? KnownInstances { get; set; }
    public Guid WorkflowId => Summary.Id;
}

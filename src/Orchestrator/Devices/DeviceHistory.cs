using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Devices;

/// <summary>A device's provisioning history across workflows (async projection keyed by serial number).</summary>
public sealed class DeviceHistory
{
    public string Id { get; set; } = "";
    public List<DeviceHistoryEntry> Entries { get; set; } = [];

    public DeviceHistoryEntry Entry(Guid workflowId)
    {
        var entry = Entries.Find(e => e.WorkflowId == workflowId);
        if (entry is null)
        {
            entry = new DeviceHistoryEntry { WorkflowId = workflowId };
            Entries.Add(entry);
        }
        return entry;
    }
}

public sealed class DeviceHistoryEntry
{
    public Guid WorkflowId { get; set; }
    public WorkflowTrigger Trigger { get; set; }
    public WorkflowKind Kind { get; set; }
    public WorkflowResult? Result { get; set; }
    public WorkflowStep? FailedStep { get; set; }
    public uint FaultCode { get; set; }
    public string? FailureReason { get; set; }
    public string TraceId { get; set; } = "";
    public string? ServicePlan { get; set; }
    public string? Model { get; set; }
    public string? FirmwareVersion { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

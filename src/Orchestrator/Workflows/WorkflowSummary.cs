using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>The current state of one workflow, projected inline from its stream (same transaction as its events).</summary>
public sealed record WorkflowSummary
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string SerialNumber { get; init; } = "";
    public string Oui { get; init; } = "";
    public string ProductClass { get; init; } = "";
    public DeviceProtocol Protocol { get; init; }
    public string EndpointId { get; init; } = "";
    public WorkflowStatus Status { get; init; }
    public WorkflowResult? Result { get; init; }
    /// <summary>The next step to run while the workflow is running.</summary>
    public WorkflowStep? CurrentStep { get; init; }
    public WorkflowStep? FailedStep { get; init; }
    public string? FailureReason { get; init; }
    public uint FaultCode { get; init; }
    public string? ServicePlanOverride { get; init; }
    public string? ServicePlan { get; init; }
    public string? CustomerId { get; init; }
    public string? LocationId { get; init; }
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? FirmwareVersion { get; init; }
    public string? DataModelRoot { get; init; }
    public string? RequestId { get; init; }
    public WorkflowTrigger Trigger { get; init; }
    public Guid? RetryOf { get; init; }
    /// <summary>The rollout campaign whose wave started this workflow.</summary>
    public Guid? CampaignId { get; init; }
    public string TraceId { get; init; } = "";
    public string RootSpanId { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public IReadOnlyList<string> EventCodes { get; init; } = [];
    public IReadOnlyList<VerificationMismatchRecord> Mismatches { get; init; } = [];
    public IReadOnlyList<ParameterFaultRecord> ParameterFaults { get; init; } = [];
    public int Resumptions { get; init; }
    /// <summary>Objects created for this workflow's push under the device's own numbers (Verify reads them there).</summary>
    public IReadOnlyList<CreatedInstance> CreatedInstances { get; init; } = [];
    public WorkflowKind Kind { get; init; }
    /// <summary>get_parameters: the names asked for.</summary>
    public IReadOnlyList<string> ParameterNames { get; init; } = [];
    /// <summary>get_parameters: the values read; set_parameters: the values to write, then written. Secrets redacted.</summary>
    public IReadOnlyList<PushedParameter> Parameters { get; init; } = [];
    /// <summary>upgrade_firmware: the image the request named (null: the model profile's target).</summary>
    public FirmwareImage? Firmware { get; init; }
    /// <summary>The version fetch_profile found due (the model profile's target), when an upgrade runs before the push.</summary>
    public string? FirmwareTarget { get; init; }

    public bool IsTerminal => Status != WorkflowStatus.Running;

    public DeviceDescriptor Device => new(SerialNumber, Oui, ProductClass, Protocol, EndpointId);
}

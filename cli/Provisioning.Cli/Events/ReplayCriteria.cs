using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Events;

/// <summary>What an analyst asked for. Null means "any".</summary>
public sealed record ReplayCriteria
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    /// <summary>Event-level: keep events whose step is this one.</summary>
    public WorkflowStep? Step { get; init; }
    public WorkflowResult? Result { get; init; }
    public uint? FaultCode { get; init; }
    public string? Model { get; init; }
    public string? Firmware { get; init; }
    public string? Plan { get; init; }

    /// <summary>Criteria about the workflow rather than the event, learnt from earlier events of the stream.</summary>
    public bool NeedsWorkflowState => Result is not null || FaultCode is not null || Model is not null || Firmware is not null || Plan is not null;
}

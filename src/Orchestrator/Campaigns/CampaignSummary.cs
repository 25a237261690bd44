using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>A campaign's state, projected inline from its stream (the runner and the API read it).</summary>
public sealed record CampaignSummary
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Name { get; init; } = "";
    public string? RequestId { get; init; }
    public CampaignState State { get; init; }
    public string? StateReason { get; init; }
    public CampaignSelection Selection { get; init; } = new([], [], [], [], []);
    public string? ServicePlan { get; init; }
    public CampaignFirmware? Firmware { get; init; }
    public IReadOnlyList<CampaignWave> Waves { get; init; } = [];
    /// <summary>1-based wave being rolled out (the last once completed).</summary>
    public int CurrentWave { get; init; } = 1;
    public int Concurrency { get; init; }
    public CampaignStopRules StopRules { get; init; } = new(CampaignStopRules.DefaultMaxFailureRate, CampaignStopRules.DefaultMinEndedForRate, [], null);
    public IReadOnlyList<DeviceDescriptor> Devices { get; init; } = [];
    /// <summary>Raised by each resume that retries failed devices; part of each device workflow's request id.</summary>
    public int Round { get; init; }
    /// <summary>The stop rules judge workflows started from here (the last resume), or all when never resumed.</summary>
    public DateTimeOffset? JudgedFrom { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string TraceId { get; init; } = "";
    public string SpanId { get; init; } = "";

    public bool IsEnded => State is CampaignState.Completed or CampaignState.Aborted;

    /// <summary>The request id of a device's workflow in this campaign's current round: starting it twice starts it once.</summary>
    public string RequestIdFor(string serialNumber) => $"campaign:{Id:N}:{Round}:{serialNumber}";

    /// <summary>The round a device workflow's request id names (0 when it is not one of <see cref="RequestIdFor"/>'s).</summary>
    public static int RoundOf(string? requestId)
    {
        var parts = requestId?.Split(':', 4);
        return parts is ["campaign", _, var round, _] && int.TryParse(round, out var n) ? n : 0;
    }
}

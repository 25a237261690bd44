using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>When a campaign pauses itself. Judged after each wave and, once enough have ended, continuously.</summary>
public sealed record CampaignStopRules(
    double MaxFailureRate,
    int MinEndedForRate,
    IReadOnlyList<uint> FaultCodes,
    int? MaxVerificationFailures)
{
    /// <summary>The seed's alert threshold (ProvisioningFailureRateHigh, 5 %).</summary>
    public const double DefaultMaxFailureRate = 0.05;
    public const int DefaultMinEndedForRate = 10;

    /// <summary>Why the campaign must pause, or null. <paramref name="waveEnded"/>: judge the rate on however few ended.</summary>
    public string? Tripped(CampaignTally tally, bool waveEnded)
    {
        if (tally.FirstFaultAmong(FaultCodes) is { } faulted)
            return $"fault {faulted.FaultCode} on {faulted.SerialNumber} (workflow {faulted.WorkflowId}, {faulted.Result?.Name()})";
        if (MaxVerificationFailures is { } most && tally.VerificationFailures > most)
            return $"{tally.VerificationFailures} verification failures, more than {most}";
        if (tally.Ended > 0 && (waveEnded || tally.Ended >= MinEndedForRate) && tally.FailureRate > MaxFailureRate)
            return $"failure rate {tally.FailureRate:P1} ({tally.Failed} of {tally.Ended} ended) above {MaxFailureRate:P1}";
        return null;
    }
}

using JasperFx.Events;
using Marten.Events.Aggregation;
using Provisioning.Orchestrator.Campaigns.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>Folds a campaign's events into its summary, in the transaction that appends them.</summary>
public sealed class CampaignSummaryProjection : SingleStreamProjection<CampaignSummary, Guid>
{
    public override CampaignSummary? Evolve(CampaignSummary? snapshot, Guid id, IEvent e)
    {
        var next = (snapshot, e.Data) switch
        {
            (null, CampaignStarted started) => new CampaignSummary
            {
                Id = id,
                Name = started.Name,
                RequestId = started.RequestId,
                State = CampaignState.Running,
                Selection = started.Selection,
                ServicePlan = started.ServicePlan,
                Firmware = started.Firmware,
                Waves = started.Waves,
                Concurrency = started.Concurrency,
                StopRules = started.StopRules,
                Devices = started.Devices,
                CreatedBy = started.StartedBy,
                CreatedAt = e.Timestamp,
                TraceId = started.Trace.TraceId,
                SpanId = started.Trace.SpanId,
            },
            (null, _) => null,
            ({ } s, CampaignWaveCompleted completed) => s with { CurrentWave = Math.Min(s.Waves.Count, completed.Wave + 1) },
            ({ } s, CampaignPaused paused) => s with { State = CampaignState.Paused, StateReason = paused.By == CampaignPaused.ByStopRule ? paused.Reason : $"paused by {paused.By}: {paused.Reason}" },
            ({ } s, CampaignResumed resumed) => s with
            {
                State = CampaignState.Running,
                StateReason = $"resumed by {resumed.By}" + (resumed.Reason is { Length: > 0 } ? $": {resumed.Reason}" : "") + (resumed.RetryFailed ? " (failed devices retried)" : ""),
                Round = resumed.Round,
                JudgedFrom = resumed.At,
            },
            ({ } s, CampaignAborted aborted) => s with { State = CampaignState.Aborted, StateReason = $"aborted by {aborted.By}" + (aborted.Reason is { Length: > 0 } ? $": {aborted.Reason}" : "") },
            ({ } s, CampaignCompleted completed) => s with { State = CampaignState.Completed, StateReason = $"{completed.Succeeded} succeeded, {completed.Failed} failed" },
            ({ } s, _) => s,
        };
        if (next is null) return null;
        next.Version = e.Version;
        return next with { UpdatedAt = e.Timestamp };
    }
}

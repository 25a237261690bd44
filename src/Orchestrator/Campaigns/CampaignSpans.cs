using System.Diagnostics;
using Provisioning.Orchestrator.Telemetry;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// A campaign's spans: its start (the campaign's trace), and each advance that starts device workflows, a root of its
/// own linked to the start, whose children are those workflows' roots.
/// </summary>
public static class CampaignSpans
{
    public const string Start = "cpe.campaign.start";
    public const string Advance = "cpe.campaign.advance";
    public const string IdTag = "cpe.campaign_id";

    public static Activity? StartAdvance(CampaignSummary campaign)
    {
        Activity.Current = null;
        var links = new List<ActivityLink>();
        if (campaign.TraceId.Length == 32 && campaign.SpanId.Length == 16)
            links.Add(new ActivityLink(new ActivityContext(ActivityTraceId.CreateFromString(campaign.TraceId),
                ActivitySpanId.CreateFromString(campaign.SpanId), ActivityTraceFlags.Recorded)));
        var span = OrchestratorTelemetry.Source.StartActivity(Advance, ActivityKind.Internal, parentContext: default, links: links);
        span?.SetTag(IdTag, campaign.Id.ToString());
        span?.SetTag("cpe.campaign.wave", campaign.CurrentWave);
        return span;
    }
}

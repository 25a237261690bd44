using System.Diagnostics;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// A campaign's spans: its start (the campaign's trace), and each advance that starts device workflows, a root of its
/// own linked to the start, whose children are those workflows' roots. Neither takes the caller's span as parent.
/// </summary>
public static class CampaignSpans
{
    public const string Start = "cpe.campaign.start";
    public const string Advance = "cpe.campaign.advance";
    public const string IdTag = "cpe.campaign_id";

    public static Activity? StartCampaign(Guid id, string name, int devices)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var span = OrchestratorTelemetry.Source.StartActivity(Start, ActivityKind.Internal);
        Activity.Current = previous;
        span?.SetTag(IdTag, id.ToString());
        span?.SetTag("cpe.campaign.name", name);
        span?.SetTag("cpe.campaign.devices", devices);
        return span;
    }

    /// <summary>Becomes Activity.Current (the workflows started under it are its children); the caller restores the previous one.</summary>
    public static Activity? StartAdvance(CampaignSummary campaign)
    {
        Activity.Current = null;
        var span = OrchestratorTelemetry.Source.StartActivity(Advance, ActivityKind.Internal, parentContext: default,
            links: new TraceRef(campaign.TraceId, campaign.SpanId).Links());
        span?.SetTag(IdTag, campaign.Id.ToString());
        span?.SetTag("cpe.campaign.wave", campaign.CurrentWave);
        return span;
    }
}

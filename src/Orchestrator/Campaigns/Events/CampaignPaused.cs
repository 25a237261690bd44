namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>
/// No new device workflow starts. <see cref="By"/> is "campaign" when a stop rule tripped (<see cref="Reason"/> names
/// the rule and its figures), otherwise the principal who paused it.
/// </summary>
public sealed record CampaignPaused(int Wave, string Reason, string By) : ICampaignEvent
{
    public const string ByStopRule = "campaign";
}

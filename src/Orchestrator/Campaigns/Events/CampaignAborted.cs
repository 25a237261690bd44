namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>The campaign ended for good before its last wave; workflows already running end as they will.</summary>
public sealed record CampaignAborted(string? Reason, string By) : ICampaignEvent;

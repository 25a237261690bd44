namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>The last wave completed.</summary>
public sealed record CampaignCompleted(int Succeeded, int Failed) : ICampaignEvent;

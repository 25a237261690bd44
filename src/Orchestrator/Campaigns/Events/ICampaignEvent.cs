namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>An event of a campaign's own stream.</summary>
public interface ICampaignEvent;

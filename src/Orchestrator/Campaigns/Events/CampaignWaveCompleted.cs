namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>Every device of a wave has ended and no stop rule tripped; the next wave (if any) starts.</summary>
public sealed record CampaignWaveCompleted(int Wave, int Ended, int Failed) : ICampaignEvent;

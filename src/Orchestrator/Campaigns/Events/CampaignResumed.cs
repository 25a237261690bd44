namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>
/// The campaign goes on. From here the stop rules judge only the workflows started after <see cref="At"/>;
/// <see cref="RetryFailed"/>: the devices whose campaign workflow failed are started again (round <see cref="Round"/>).
/// </summary>
public sealed record CampaignResumed(string? Reason, bool RetryFailed, int Round, DateTimeOffset At, string By) : ICampaignEvent;

namespace Provisioning.Orchestrator.Campaigns;

public enum CampaignState
{
    Running,
    Paused,
    Completed,
    Aborted,
}

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>A campaign request that cannot be carried out as asked (nothing selected, a change its state forbids).</summary>
public sealed class CampaignRefusedException(string message) : Exception(message);

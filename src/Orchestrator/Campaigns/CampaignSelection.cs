namespace Provisioning.Orchestrator.Campaigns;

/// <summary>Which devices a campaign is for: every criterion given holds; the values of one criterion are alternatives.</summary>
public sealed record CampaignSelection(
    IReadOnlyList<string> ServicePlans,
    IReadOnlyList<string> ProductClasses,
    IReadOnlyList<string> FirmwareVersions,
    IReadOnlyList<string> LocationIds,
    IReadOnlyList<string> SerialNumbers)
{
    public bool IsEmpty => ServicePlans.Count + ProductClasses.Count + FirmwareVersions.Count + LocationIds.Count + SerialNumbers.Count == 0;
}

using System.ComponentModel.DataAnnotations;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>The campaign runner (configuration section "Campaign").</summary>
public sealed class CampaignOptions
{
    public const string Section = "Campaign";

    /// <summary>How often running campaigns are advanced: new workflows started, rules judged, waves closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most devices one campaign may select (its device list is kept in its first event).</summary>
    [Range(1, 1_000_000)]
    public int MaxDevices { get; set; } = 50_000;

    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 1_000;
}

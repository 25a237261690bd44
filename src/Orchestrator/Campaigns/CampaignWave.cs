namespace Provisioning.Orchestrator.Campaigns;

/// <summary>One wave: the first <see cref="Devices"/> of the campaign's device order (a cumulative percentage of them).</summary>
public sealed record CampaignWave(int Number, double Percent, int Devices)
{
    /// <summary>The waves for <paramref name="selected"/> devices: each at least one device more than the one before.</summary>
    public static IReadOnlyList<CampaignWave> For(IReadOnlyList<double> percents, int selected)
    {
        var waves = new List<CampaignWave>();
        foreach (var percent in percents)
        {
            var devices = Math.Min(selected, (int)Math.Ceiling(selected * percent / 100.0));
            if (waves.Count > 0 && devices <= waves[^1].Devices) continue; // too few devices for this wave to add any
            waves.Add(new CampaignWave(waves.Count + 1, percent, devices));
        }
        return waves;
    }
}

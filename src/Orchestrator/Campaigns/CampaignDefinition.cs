namespace Provisioning.Orchestrator.Campaigns;

/// <summary>What an operator asks a campaign to do, validated (see Grpc.CampaignMapping).</summary>
public sealed record CampaignDefinition(
    string Name,
    string? RequestId,
    CampaignSelection Selection,
    string? ServicePlan,
    IReadOnlyList<double> WavePercents,
    int Concurrency,
    CampaignStopRules StopRules,
    CampaignFirmware? Firmware = null)
{
    public static readonly IReadOnlyList<double> DefaultWaves = [1, 10, 50, 100];
    public const int DefaultConcurrency = 10;
}

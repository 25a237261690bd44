namespace Provisioning.Orchestrator.Campaigns;

internal static partial class CampaignLog
{
    [LoggerMessage(6001, LogLevel.Information, "Campaign {CampaignId} '{Name}' started by {By}: {Devices} devices in {Waves} waves")]
    public static partial void Started(ILogger logger, Guid campaignId, string name, string by, int devices, int waves);

    [LoggerMessage(6002, LogLevel.Warning, "Campaign {CampaignId} paused itself in wave {Wave}: {Reason}")]
    public static partial void PausedByRule(ILogger logger, Guid campaignId, int wave, string reason);

    [LoggerMessage(6003, LogLevel.Information, "Campaign {CampaignId}: wave {Wave} completed ({Ended} ended, {Failed} failed)")]
    public static partial void WaveCompleted(ILogger logger, Guid campaignId, int wave, int ended, int failed);

    [LoggerMessage(6004, LogLevel.Information, "Campaign {CampaignId} {Change} by {By}")]
    public static partial void Changed(ILogger logger, Guid campaignId, string change, string by);

    [LoggerMessage(6005, LogLevel.Error, "Campaign {CampaignId} could not be advanced; retrying at the next tick")]
    public static partial void AdvanceFailed(ILogger logger, Exception exception, Guid campaignId);
}

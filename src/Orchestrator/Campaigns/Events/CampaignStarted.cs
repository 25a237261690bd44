using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Campaigns.Events;

/// <summary>
/// A campaign was started: its first event. <see cref="Devices"/> is the selection as it was resolved then, in the
/// campaign's order; later inventory changes do not move a device into or out of a running campaign.
/// </summary>
public sealed record CampaignStarted(
    string Name,
    string? RequestId,
    CampaignSelection Selection,
    string? ServicePlan,
    IReadOnlyList<CampaignWave> Waves,
    int Concurrency,
    CampaignStopRules StopRules,
    IReadOnlyList<DeviceDescriptor> Devices,
    string StartedBy,
    TraceRef Trace,
    // A firmware campaign (upgrade_firmware workflows) instead of a plan's.
    CampaignFirmware? Firmware = null) : ICampaignEvent;

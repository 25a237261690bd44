using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>A firmware campaign's change: this image, or (null) each device's model profile firmware target.</summary>
public sealed record CampaignFirmware(FirmwareImage? Image);

using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// The firmware a model profile's devices should run, and where its image is. <see cref="Password"/> is stored sealed
/// (<see cref="PlanSecrets"/>) and opened only for the download; it never reaches an event, a span or a log.
/// </summary>
public sealed record ModelFirmware(string Version, string Url, ulong FileSize, string Sha256, string Username = "", string Password = "")
{
    public FirmwareImage Image => new(Version, Url, FileSize, Sha256);
}

/// <summary>What the upgrade step sends: the image, and the image server's credentials in clear (empty: none).</summary>
public sealed record FirmwareDownload(FirmwareImage Image, string Username, string Password);

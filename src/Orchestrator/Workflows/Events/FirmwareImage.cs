namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>
/// A firmware image as events keep it: the version it installs and where it is. Never credentials: those stay in the
/// model profile, sealed, and are opened only for the download.
/// </summary>
public sealed record FirmwareImage(string Version, string Url, ulong FileSize, string Sha256)
{
    /// <summary>Whether a device reporting <paramref name="version"/> runs this image's (vendors' version strings are compared as given).</summary>
    public bool IsRunBy(string? version) => string.Equals(Version.Trim(), version?.Trim(), StringComparison.Ordinal);
}

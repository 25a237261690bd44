using System.ComponentModel.DataAnnotations;

namespace Provisioning.Orchestrator.Firmware;

/// <summary>
/// The orchestrator's own image server (configuration section "Firmware"). Off unless <see cref="ImageFolder"/> is set;
/// a model profile may always name an operator's URL instead of a file of this folder.
/// </summary>
public sealed class FirmwareImageOptions
{
    public const string Section = "Firmware";

    /// <summary>The folder whose files are served; its subfolders are not.</summary>
    public string? ImageFolder { get; set; }

    /// <summary>Where the image listener binds (HTTP/1.1, what CPE download clients speak).</summary>
    [Required]
    public string ImageUrl { get; set; } = "http://0.0.0.0:7580";

    /// <summary>
    /// The base URL devices are told ("http://acs.example.net:7580"). Unset: <see cref="ImageUrl"/>, a wildcard host
    /// dialled on loopback, which only devices on this machine reach.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long a device's (or campaign's) link stays good: long enough for a slow transfer and its retries.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(2);

    public bool Serving => !string.IsNullOrWhiteSpace(ImageFolder);

    public Uri BaseUri()
    {
        var url = PublicBaseUrl is { Length: > 0 } ? PublicBaseUrl : Provisioning.ServiceDefaults.Connections.Listener.Dialable(ImageUrl);
        return new Uri(url.TrimEnd('/') + "/");
    }
}

using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Firmware;

/// <summary>
/// The URL a device is told to download an image from: an operator's absolute URL as it is, or a link to a file of the
/// image folder with a token for that device (or campaign), "{PublicBaseUrl}/firmware/{scope}/{token}/{file}".
/// </summary>
public sealed class FirmwareImageLinks(FirmwareImageFolder folder, FirmwareImageTokens tokens, IOptions<FirmwareImageOptions> options)
{
    public const string RoutePrefix = "firmware";

    /// <summary>Whether <paramref name="image"/> is an operator's URL (http or https) rather than a file of the folder.</summary>
    public static bool IsOperatorUrl(string image) =>
        Uri.TryCreate(image, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <exception cref="FirmwareImageUnavailableException">The image is a file name and the folder does not serve it.</exception>
    public string UrlFor(string scope, string image)
    {
        if (IsOperatorUrl(image)) return image;
        if (!folder.Serving) throw new FirmwareImageUnavailableException($"image '{image}' is not a URL and no Firmware:ImageFolder is configured");
        if (folder.Find(image) is null) throw new FirmwareImageUnavailableException($"image '{image}' is not in the firmware image folder");
        var path = $"{RoutePrefix}/{Uri.EscapeDataString(scope)}/{tokens.Issue(scope, image)}/{Uri.EscapeDataString(image)}";
        return new Uri(options.Value.BaseUri(), path).AbsoluteUri;
    }
}

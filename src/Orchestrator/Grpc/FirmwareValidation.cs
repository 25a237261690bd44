namespace Provisioning.Orchestrator.Grpc;

/// <summary>What makes a firmware image usable by a device: checked before a model profile or an upgrade is accepted.</summary>
public static class FirmwareValidation
{
    /// <summary>
    /// The version and the image's URL (absolute http or https: a device fetches it itself, and CWMP Download knows no
    /// other scheme worth allowing; credentials go in their own fields so the URL can be shown), size and checksum.
    /// </summary>
    public static RequestValidation Image(this RequestValidation v, string prefix, string version, string url, ulong fileSize, string sha256, bool sizeAndChecksumRequired)
    {
        v.Require($"{prefix}version", version, 64)
            .Require($"{prefix}url", url, 2048)
            .Check(IsImageUrl(url) || Firmware.FirmwareImageFolder.IsImageName(url.Trim()), $"{prefix}url",
                "must be an absolute http:// or https:// URL without credentials in it, or the file name of an image in the orchestrator's Firmware:ImageFolder")
            .Check(sha256.Length == 0 || (sha256.Length == 64 && sha256.All(Uri.IsHexDigit)), $"{prefix}sha256", "must be 64 hexadecimal digits (SHA-256)");
        // The orchestrator knows the size and checksum of an image it serves itself.
        if (sizeAndChecksumRequired && IsImageUrl(url))
        {
            v.Check(fileSize > 0, $"{prefix}file_size", "is required (the image's size in bytes)")
                .Check(sha256.Length > 0, $"{prefix}sha256", "is required (the image's SHA-256, 64 hexadecimal digits)");
        }
        return v;
    }

    public static bool IsImageUrl(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0
        && uri.Host.Length > 0;
}

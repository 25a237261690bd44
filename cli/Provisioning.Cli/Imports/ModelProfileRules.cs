using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Imports;

/// <summary>What makes a model profile usable, checked before a file is loaded (the server checks the paths in full).</summary>
public static class ModelProfileRules
{
    public static IEnumerable<string> Check(ModelProfile profile)
    {
        if (profile.Name.Length == 0) yield return "name is empty";
        if (profile.Manufacturer.Trim().Length == 0) yield return "manufacturer is empty";
        if (profile.Model.Trim().Length == 0) yield return "model is empty";
        foreach (var mapping in profile.Mappings)
        {
            if (mapping.From.Trim().Length == 0 || mapping.To.Trim().Length == 0) yield return "a mapping needs both from and to";
            else if (mapping.From.Trim().EndsWith('.') != mapping.To.Trim().EndsWith('.'))
                yield return $"mapping '{mapping.From}' → '{mapping.To}': both must name objects (end in '.') or neither";
        }
        foreach (var omitted in profile.Omit)
            if (omitted.Trim().Length == 0) yield return "omit lists an empty path";
        if (profile.Firmware is { } firmware)
            foreach (var problem in Firmware(firmware)) yield return problem;
    }

    /// <summary>A device fetches the image itself: the URL must be one it can (http or https), with its size and checksum.</summary>
    private static IEnumerable<string> Firmware(FirmwareTarget firmware)
    {
        if (firmware.Version.Trim().Length == 0) yield return "firmware.version is empty";
        var url = firmware.Url.Trim();
        if (url.Length == 0) yield return "firmware.url is empty";
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            yield return $"firmware.url '{url}' is not an absolute http:// or https:// URL";
        else if (uri.UserInfo.Length > 0) yield return "firmware.url holds credentials: put them in firmware.username and firmware.password";
        if (firmware.FileSize == 0) yield return "firmware.file_size is missing (the image's size in bytes)";
        var sha256 = firmware.Sha256.Trim();
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit)) yield return "firmware.sha256 must be the image's SHA-256, 64 hexadecimal digits";
        if (firmware.Password.Length > 0 && firmware.Username.Trim().Length == 0) yield return "firmware.password needs firmware.username";
    }
}

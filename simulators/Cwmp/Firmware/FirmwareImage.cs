using System.Text;

namespace Provisioning.Simulators.Cwmp.Firmware;

/// <summary>
/// How a simulated CPE learns the version of an image it downloaded. The convention, shared with the USP simulator
/// and the independent peers in tests/Interop, so an orchestrator can serve images whose outcome it knows:
/// the image's bytes begin with the line <c>CPE-FIRMWARE &lt;version&gt;\n</c>; without that line the version is the
/// Download's TargetFileName, else the URL's last path segment, each without its extension.
/// </summary>
public static class FirmwareImage
{
    public const string Marker = "CPE-FIRMWARE ";

    /// <summary>An image announcing <paramref name="version"/>, padded to <paramref name="size"/> bytes when that is larger.</summary>
    public static byte[] Create(string version, int size = 0)
    {
        var header = Encoding.ASCII.GetBytes(Marker + version + "\n");
        var image = new byte[Math.Max(size, header.Length)];
        header.CopyTo(image, 0);
        return image;
    }

    public static string VersionOf(ReadOnlySpan<byte> image, string? targetFileName, Uri url)
    {
        var marker = Encoding.ASCII.GetBytes(Marker);
        if (image.StartsWith(marker))
        {
            var rest = image[marker.Length..];
            var end = rest.IndexOf((byte)'\n');
            var version = Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]).Trim();
            if (version.Length > 0) return version;
        }
        var name = !string.IsNullOrWhiteSpace(targetFileName) ? targetFileName : Uri.UnescapeDataString(url.Segments[^1]).TrimEnd('/');
        return WithoutExtension(name);
    }

    // "fw-2.0.1.bin" -> "fw-2.0.1": only the last extension goes, the version's own dots stay.
    private static string WithoutExtension(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot > 0 ? name[..dot] : name;
    }
}

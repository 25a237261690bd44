namespace Provisioning.Contracts.DataModel;

/// <summary>The TR-106 path grammar both adapters work with: "Device.WiFi.AccessPoint.2.Security.KeyPassphrase".</summary>
public static class ObjectPath
{
    /// <summary>"Device.WiFi.SSID.1.SSID" → "Device.WiFi.SSID.1."</summary>
    public static string Of(string parameterPath) => parameterPath[..(parameterPath.LastIndexOf('.') + 1)];

    /// <summary>"Device.Ethernet.VLANTermination.3." → "Device.Ethernet.VLANTermination." (null when the last segment is not an instance number).</summary>
    public static string? TableOf(string objectPath)
    {
        var trimmed = objectPath.TrimEnd('.');
        var dot = trimmed.LastIndexOf('.');
        if (dot <= 0) return null;
        var last = trimmed.AsSpan(dot + 1);
        return last.Length > 0 && !last.ContainsAnyExcept("0123456789") ? trimmed[..(dot + 1)] : null;
    }

    /// <summary>"A.1.B.2.C" → "A.1.", "A.1.B.2." (every prefix whose last segment is an instance number), shallowest first.</summary>
    public static IEnumerable<string> InstancesIn(string path)
    {
        for (var dot = path.IndexOf('.'); dot >= 0 && dot < path.Length - 1; dot = path.IndexOf('.', dot + 1))
        {
            var next = path.IndexOf('.', dot + 1);
            if (next < 0) yield break;
            var segment = path.AsSpan(dot + 1, next - dot - 1);
            if (segment.Length > 0 && !segment.ContainsAnyExcept("0123456789")) yield return path[..(next + 1)];
        }
    }

    /// <summary>The distinct instances the paths name, shallowest first (parents before their children).</summary>
    public static List<string> InstancesIn(IEnumerable<string> paths) =>
        paths.SelectMany(InstancesIn).Distinct(StringComparer.Ordinal).OrderBy(p => p.Count(c => c == '.')).ToList();

    /// <summary>
    /// Whether <paramref name="path"/> is a parameter path relative to the data-model root in TR-106's grammar: dot-separated
    /// segments, each a name (a letter or "_" first, then letters, digits, "_" or "-") or an instance number, ending in a
    /// name ("WiFi.SSID.1.SSID"). Refuses "../../etc", empty segments, a trailing dot and anything but ASCII.
    /// </summary>
    public static bool IsRelativeParameter(string path)
    {
        if (path.Length is 0 or > 256) return false;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0) return false;
            var number = !segment.AsSpan().ContainsAnyExcept("0123456789");
            if (number)
            {
                if (i == 0 || i == segments.Length - 1) return false;
                continue;
            }
            if (!(char.IsAsciiLetter(segment[0]) || segment[0] == '_')) return false;
            foreach (var c in segment)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        }
        return true;
    }
}

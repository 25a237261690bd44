using System.Text;

namespace Provisioning.Southbound.Cwmp.ConnectionRequests;

/// <summary>
/// A CPE's answer to a Connection Request, read tolerantly: CPEs' embedded HTTP servers answer with bare LF line
/// endings, folded (obs-fold) headers and no blank line after the headers, and all the ACS needs from them is the
/// status code and the WWW-Authenticate challenges. Anything after the headers is ignored.
/// </summary>
public sealed record ConnectionRequestAnswer(int StatusCode, IReadOnlyList<string> Challenges)
{
    /// <summary>The head so far as received; null while no whole status line can be read from it.</summary>
    public static ConnectionRequestAnswer? TryParse(ReadOnlySpan<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split('\n');
        // The status line is complete only once its line ended (or the server closed: the caller passes all it got).
        if (lines.Length < 2 && !text.EndsWith('\n')) return null;
        var status = lines[0].TrimEnd('\r').Trim();
        var parts = status.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase)
            || parts[1].Length != 3 || !int.TryParse(parts[1], out var code)) return null;

        var challenges = new List<string>();
        string? current = null;
        void Flush()
        {
            if (current is null) return;
            var colon = current.IndexOf(':');
            if (colon > 0 && current.AsSpan(0, colon).Trim().Equals("WWW-Authenticate", StringComparison.OrdinalIgnoreCase))
                challenges.Add(current[(colon + 1)..].Trim());
            current = null;
        }
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) break; // the blank line, where there is one
            if ((line[0] == ' ' || line[0] == '\t') && current is not null)
            {
                current += " " + line.Trim(); // a folded continuation of the header above
                continue;
            }
            Flush();
            current = line;
        }
        Flush();
        return new ConnectionRequestAnswer(code, challenges);
    }

    /// <summary>Whether the head holds its end: a blank line after the headers (CRLF or bare LF).</summary>
    public static bool IsComplete(ReadOnlySpan<byte> head) => head.IndexOf("\n\n"u8) >= 0 || head.IndexOf("\n\r\n"u8) >= 0;

    /// <summary>The parameters of the first challenge of <paramref name="scheme"/> ("Digest", "Basic"), or null.</summary>
    public string? Challenge(string scheme)
    {
        foreach (var c in Challenges)
            if (c.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && (c.Length == scheme.Length || c[scheme.Length] is ' ' or '\t'))
                return c[scheme.Length..].Trim();
        return null;
    }
}

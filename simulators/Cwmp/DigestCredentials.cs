using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Simulators.Cwmp;

/// <summary>The CPE side of HTTP Digest (MD5, qop=auth): answering the ACS's challenge and checking Connection Requests.</summary>
internal static class DigestCredentials
{
    public static Dictionary<string, string> Parse(string header)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < header.Length)
        {
            while (i < header.Length && (header[i] is ' ' or ',' or '\t')) i++;
            var eq = header.IndexOf('=', i);
            if (eq < 0) break;
            var name = header[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < header.Length && header[i] == '"')
            {
                var end = header.IndexOf('"', i + 1);
                if (end < 0) end = header.Length;
                value = header[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = header.IndexOf(',', i);
                if (end < 0) end = header.Length;
                value = header[i..end].Trim();
                i = end;
            }
            result[name] = value;
        }
        return result;
    }

    public static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Response(string user, string realm, string password, string method, string uri, string nonce, string nc, string cnonce, string? qop) =>
        qop is null
            ? Md5($"{Md5($"{user}:{realm}:{password}")}:{nonce}:{Md5($"{method}:{uri}")}")
            : Md5($"{Md5($"{user}:{realm}:{password}")}:{nonce}:{nc}:{cnonce}:{qop}:{Md5($"{method}:{uri}")}");

    public static string Authorization(IReadOnlyDictionary<string, string> challenge, string user, string password, string method, string uri, int count)
    {
        var realm = challenge.GetValueOrDefault("realm") ?? "";
        var nonce = challenge.GetValueOrDefault("nonce") ?? "";
        var qop = challenge.GetValueOrDefault("qop")?.Split(',').Select(q => q.Trim()).Contains("auth") == true ? "auth" : null;
        var nc = count.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var cnonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var response = Response(user, realm, password, method, uri, nonce, nc, cnonce, qop);
        var header = $"Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5, response=\"{response}\"";
        if (qop is not null) header += $", qop={qop}, nc={nc}, cnonce=\"{cnonce}\"";
        if (challenge.TryGetValue("opaque", out var opaque)) header += $", opaque=\"{opaque}\"";
        return header;
    }
}

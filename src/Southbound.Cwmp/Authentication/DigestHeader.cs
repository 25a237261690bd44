using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>RFC 7616 / 2617 Digest pieces (MD5, qop=auth) shared by CPE authentication and Connection Requests.</summary>
public static class DigestHeader
{
    /// <summary>Parses the parameters after "Digest " (name=value or name="quoted value", comma separated).</summary>
    public static Dictionary<string, string> ParseParameters(ReadOnlySpan<char> text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) i++;
            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',') i++;
            var name = text[nameStart..i].Trim().ToString();
            if (i >= text.Length || text[i] != '=')
            {
                if (name.Length > 0) result[name] = "";
                continue;
            }
            i++; // '='
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    sb.Append(text[i++]);
                }
                i++; // closing quote
                value = sb.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',') i++;
                value = text[valueStart..i].Trim().ToString();
            }
            if (name.Length > 0) result[name] = value;
        }
        return result;
    }

    public static string Md5Hex(string text)
    {
        Span<byte> hash = stackalloc byte[16];
        var bytes = Encoding.UTF8.GetBytes(text);
        MD5.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>HA1 = MD5(username:realm:password).</summary>
    public static string Ha1(string username, string realm, string password) => Md5Hex($"{username}:{realm}:{password}");

    /// <summary>The Digest "response" value for qop=auth (or the RFC 2069 form when qop is empty).</summary>
    public static string Response(string ha1, string method, string uri, string nonce, string? qop, string? nc, string? cnonce)
    {
        var ha2 = Md5Hex($"{method}:{uri}");
        return string.IsNullOrEmpty(qop)
            ? Md5Hex($"{ha1}:{nonce}:{ha2}")
            : Md5Hex($"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}");
    }

    /// <summary>Builds the client's Authorization header value answering a Digest challenge.</summary>
    public static string Authorize(IReadOnlyDictionary<string, string> challenge, string username, string password, string method, string uri)
    {
        var realm = challenge.GetValueOrDefault("realm") ?? "";
        var nonce = challenge.GetValueOrDefault("nonce") ?? "";
        var qops = challenge.GetValueOrDefault("qop");
        var qop = qops is not null && qops.Split(',').Any(q => q.Trim() == "auth") ? "auth" : null;
        var cnonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        const string nc = "00000001";
        var response = Response(Ha1(username, realm, password), method, uri, nonce, qop, nc, cnonce);
        var sb = new StringBuilder("Digest ");
        sb.Append("username=\"").Append(username).Append("\", realm=\"").Append(realm).Append("\", nonce=\"").Append(nonce)
          .Append("\", uri=\"").Append(uri).Append("\", algorithm=MD5, response=\"").Append(response).Append('"');
        if (qop is not null) sb.Append(", qop=auth, nc=").Append(nc).Append(", cnonce=\"").Append(cnonce).Append('"');
        if (challenge.TryGetValue("opaque", out var opaque)) sb.Append(", opaque=\"").Append(opaque).Append('"');
        return sb.ToString();
    }

    public static bool FixedTimeEqualsHex(string a, string b) =>
        a.Length == b.Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a.ToLowerInvariant()), Encoding.ASCII.GetBytes(b.ToLowerInvariant()));
}

using System.Text;
using Microsoft.Extensions.Primitives;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>
/// The secret an agent presents at the WebSocket upgrade: <c>Authorization: Basic base64(&lt;endpoint id&gt;:&lt;secret&gt;)</c>
/// or <c>Authorization: Bearer &lt;secret&gt;</c>. A Basic user that is not the connection's endpoint ID is a secret
/// presented for another agent.
/// </summary>
internal readonly record struct PresentedSecret(string? Secret, string? ClaimedEndpointId, string? Malformed)
{
    public static readonly PresentedSecret None = new(null, null, null);

    public bool IsPresent => Secret is not null;

    public static PresentedSecret From(StringValues authorization, string endpointId)
    {
        if (authorization.Count == 0) return None;
        if (authorization.Count > 1) return new(null, null, "more than one Authorization header");
        var header = authorization[0]!.Trim();
        var space = header.IndexOf(' ');
        if (space <= 0) return new(null, null, "Authorization header without a scheme");
        var scheme = header[..space];
        var value = header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return value.Length > 0 ? new(value, null, null) : new(null, null, "empty Bearer credential");
        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) return new(null, null, "unsupported Authorization scheme " + scheme);
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
        }
        catch (FormatException)
        {
            return new(null, null, "Basic credential is not base64");
        }
        // Endpoint IDs contain ':' themselves (os::00D09E-SN1) and a secret may too: the user is the connection's
        // endpoint ID when the credential starts with it, else (another agent's) everything before the last ':'.
        if (decoded.StartsWith(endpointId + ":", StringComparison.Ordinal)) return new(decoded[(endpointId.Length + 1)..], endpointId, null);
        var colon = decoded.LastIndexOf(':');
        if (colon < 0) return new(null, null, "Basic credential without ':'");
        return new(decoded[(colon + 1)..], decoded[..colon], null);
    }
}

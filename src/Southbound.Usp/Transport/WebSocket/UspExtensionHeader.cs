using Microsoft.Extensions.Primitives;

namespace Provisioning.Southbound.Usp.Transport.WebSocket;

/// <summary>
/// The <c>bbf-usp-protocol</c> WebSocket extension (TR-369 WebSocket binding): each side may name its endpoint
/// ID in it, e.g. <c>Sec-WebSocket-Extensions: bbf-usp-protocol; eid="os::012345-SN1"</c>.
/// </summary>
internal static class UspExtensionHeader
{
    public const string Name = "bbf-usp-protocol";

    public static string Format(string endpointId) => $"{Name}; eid=\"{endpointId}\"";

    /// <summary>
    /// Whether the client offered the bbf-usp-protocol extension, and the eid it named there (null when none).
    /// </summary>
    public static bool Offered(StringValues headerValues, out string? endpointId)
    {
        endpointId = null;
        foreach (var header in headerValues)
        {
            if (header is null) continue;
            foreach (var extension in header.Split(',', StringSplitOptions.TrimEntries))
            {
                var parts = extension.Split(';', StringSplitOptions.TrimEntries);
                if (!parts[0].Equals(Name, StringComparison.OrdinalIgnoreCase)) continue;
                foreach (var parameter in parts.AsSpan(1))
                {
                    var equals = parameter.IndexOf('=');
                    if (equals < 0 || !parameter.AsSpan(0, equals).Trim().Equals("eid", StringComparison.OrdinalIgnoreCase)) continue;
                    var value = parameter[(equals + 1)..].Trim();
                    endpointId = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
                    break;
                }
                return true;
            }
        }
        return false;
    }
}

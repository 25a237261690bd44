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

    /// <summary>True when the client offered the bbf-usp-protocol extension.</summary>
    public static bool Offered(StringValues headerValues) => Parameters(headerValues) is not null;

    /// <summary>The eid parameter of the bbf-usp-protocol extension, or null when the header does not carry one.</summary>
    public static string? EndpointId(StringValues headerValues)
    {
        foreach (var parameter in Parameters(headerValues) ?? [])
        {
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter.AsSpan(0, equals).Trim().Equals("eid", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parameter[(equals + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            return value;
        }
        return null;
    }

    /// <summary>The parameters of the bbf-usp-protocol extension, or null when it is not in the header.</summary>
    private static string[]? Parameters(StringValues headerValues)
    {
        foreach (var header in headerValues)
        {
            if (header is null) continue;
            foreach (var extension in header.Split(',', StringSplitOptions.TrimEntries))
            {
                var parts = extension.Split(';', StringSplitOptions.TrimEntries);
                if (parts[0].Equals(Name, StringComparison.OrdinalIgnoreCase)) return parts[1..];
            }
        }
        return null;
    }
}

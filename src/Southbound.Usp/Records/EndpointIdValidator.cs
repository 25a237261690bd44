namespace Provisioning.Southbound.Usp.Records;

/// <summary>TR-369 endpoint IDs: <c>scheme:[authority]:instance-id</c> from the registered schemes, instance up to 50 characters.</summary>
public static class EndpointIdValidator
{
    private static readonly HashSet<string> Schemes = new(StringComparer.Ordinal)
    {
        "oui", "cid", "pen", "self", "user", "os", "ops", "uuid", "imei", "proto", "doc", "fqdn",
    };

    public const int MaxInstanceLength = 50;
    public const int MaxLength = 128;

    /// <summary>Null when valid, else why not.</summary>
    public static string? Validate(string? endpointId)
    {
        if (string.IsNullOrEmpty(endpointId)) return "endpoint ID is missing";
        if (endpointId.Length > MaxLength) return $"endpoint ID longer than {MaxLength} characters";
        var first = endpointId.IndexOf(':');
        if (first <= 0) return "endpoint ID has no scheme";
        var scheme = endpointId[..first];
        if (!Schemes.Contains(scheme)) return $"unknown endpoint ID scheme '{scheme}'";
        var second = endpointId.IndexOf(':', first + 1);
        if (second < 0) return "endpoint ID has no authority separator (scheme:[authority]:instance)";
        var instance = endpointId[(second + 1)..];
        if (instance.Length == 0) return "endpoint ID has an empty instance part";
        if (instance.Length > MaxInstanceLength) return $"endpoint ID instance longer than {MaxInstanceLength} characters";
        foreach (var c in endpointId)
        {
            // Printable ASCII without space: endpoint IDs travel in URLs, MQTT user properties and topics.
            if (c <= ' ' || c > '~') return "endpoint ID contains a control, space or non-ASCII character";
        }
        return null;
    }
}

namespace Provisioning.Launcher.Broker;

/// <summary>
/// An agent's username on the local broker: its endpoint ID with ':' written "%3A" (and '%' "%25", so two endpoint IDs
/// never share a name). Every endpoint ID has "::" or ':' in it, and mosquitto's password file cuts a line at the first
/// ':' (mosquitto_passwd refuses such names), so the endpoint ID itself cannot be the name.
/// </summary>
internal static class BrokerUsername
{
    public static string Of(string endpointId) =>
        endpointId.Replace("%", "%25", StringComparison.Ordinal).Replace(":", "%3A", StringComparison.Ordinal);

    /// <summary>
    /// Whether the endpoint ID can have a login: its topic is named in the ACL file, where '+' and '#' would be
    /// wildcards (reading others' topics) and a space or line break would end the entry.
    /// </summary>
    public static bool CanLogIn(string endpointId) =>
        endpointId.Length > 0 && endpointId.All(c => c > ' ' && c <= '~' && c is not '+' and not '#');
}

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// What the controller's own broker proves when it runs with a login per agent and no anonymous clients: only the agent
/// that logged in as X may read <c>usp/agent/X</c> and below (its ACL entry). Mosquitto does not tell a subscriber who
/// published a record, but a record naming X whose answers go to X's own topic can only start a conversation that X
/// alone hears; so such a session counts as authenticated by X's secret, and a record naming X with answers sent
/// anywhere else (another agent claiming X and asking to be answered on its own topic) is ignored.
/// </summary>
internal sealed record BrokerReaders(bool Proven)
{
    public static readonly BrokerReaders Unproven = new(false);

    public static string OwnTopic(string endpointId) => AgentPrefix + endpointId;

    /// <summary>Whether answers for <paramref name="endpointId"/> may go to <paramref name="topic"/>.</summary>
    public bool Allows(string endpointId, string topic)
    {
        if (!Proven) return true;
        // Per record, so without building the topic: "usp/agent/" + endpointId, alone or followed by '/'.
        var rest = topic.AsSpan();
        if (!rest.StartsWith(AgentPrefix, StringComparison.Ordinal)) return false;
        rest = rest[AgentPrefix.Length..];
        return rest.StartsWith(endpointId, StringComparison.Ordinal) && (rest.Length == endpointId.Length || rest[endpointId.Length] == '/');
    }

    private const string AgentPrefix = "usp/agent/";
}

namespace Provisioning.Launcher.Broker;

/// <summary>An agent's login to the local broker: its endpoint ID and its secret as mosquitto's PBKDF2 hash (never the secret).</summary>
internal readonly record struct BrokerLogin(string EndpointId, string PasswordHash)
{
    public string Username => BrokerUsername.Of(EndpointId);

    /// <summary>The agent's own topic (what its ACL entry lets it read, and what the simulator subscribes to).</summary>
    public string AgentTopic => "usp/agent/" + EndpointId;
}

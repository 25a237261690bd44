using System.Security.Cryptography;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Launcher.Broker;

/// <summary>
/// Who may do what on the local broker (TR-369 R-MQTT: an agent publishes to the controller and receives on its own
/// topic only): the controller logs in with a user of its own (a password generated at start unless Usp:Mqtt:Username /
/// Password are set); an agent with its own secret in the inventory logs in as <see cref="BrokerUsername"/> of its
/// endpoint ID with that secret and may read only <c>usp/agent/&lt;endpoint id&gt;</c> (and below it) and write only to
/// the controller's topic. Anonymous clients are let in only with <see cref="AllowAnonymousAgents"/>
/// (Usp:Auth:AllowUnauthenticatedAgents), kept to the topic named by their client ID unless an agent with a login owns it.
/// </summary>
/// <remarks>
/// Mosquitto does not tell a subscriber who published, so a record's from_id is the publisher's word (an agent logged in
/// as A may publish a record naming B). The login keeps B's topic, and so what the controller sends B, from A; with
/// anonymous agents off that is what admits B (<see cref="BrokerReaders"/>): answers only on B's own topic.
/// </remarks>
internal sealed record LocalBrokerAccess(string ControllerUsername, string ControllerPassword, string ControllerTopic, bool AllowAnonymousAgents)
{
    public static LocalBrokerAccess Generate(string controllerTopic, string? username, string? password, bool allowAnonymousAgents) =>
        new(string.IsNullOrEmpty(username) ? "usp-controller" : username,
            string.IsNullOrEmpty(password) ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) : password,
            controllerTopic, allowAnonymousAgents);

    /// <summary>The controller's line of the password file, hashed once (its password does not change while it runs).</summary>
    public string ControllerPasswordHash => _controllerPasswordHash ??= BrokerPasswordHash.Make(ControllerPassword);
    private string? _controllerPasswordHash;

    public string PasswordFileText(IEnumerable<BrokerLogin> agents) => PasswordFile.Text(ControllerUsername, ControllerPasswordHash, agents);

    /// <summary>The mosquitto ACL file's text.</summary>
    public string AclFileText(IEnumerable<BrokerLogin> agents)
    {
        var text = new System.Text.StringBuilder();
        if (AllowAnonymousAgents)
        {
            // Patterns apply to every client: an anonymous agent is kept to the topic its client ID names (its word).
            text.Append($"""
                # Anonymous agents: their own topic, named by their client ID, and the controller's topic to publish to.
                pattern read usp/agent/%c
                pattern read usp/agent/%c/#
                pattern write {ControllerTopic}
                pattern write {ControllerTopic}/#

                """);
            // Topic lines before the first user line are for anonymous clients only, and denials are checked first: the
            // topic of an agent that has a login is not read by an anonymous client naming that agent's client ID.
            foreach (var agent in agents)
            {
                text.Append($"""
                    topic deny {agent.AgentTopic}
                    topic deny {agent.AgentTopic}/#

                    """);
            }
        }
        text.Append($"""
            user {ControllerUsername}
            topic read {ControllerTopic}
            topic read {ControllerTopic}/#
            topic write usp/agent/#

            """);
        // One entry per agent rather than "pattern read usp/agent/%u": the username is the endpoint ID with its ':'
        // escaped, while the agent's topic carries the endpoint ID as it is.
        foreach (var agent in agents)
        {
            if (agent.Username == ControllerUsername) continue;
            text.Append($"""
                user {agent.Username}
                topic read {agent.AgentTopic}
                topic read {agent.AgentTopic}/#
                topic write {ControllerTopic}
                topic write {ControllerTopic}/#

                """);
        }
        return text.ToString();
    }
}

using System.ComponentModel.DataAnnotations;

namespace Provisioning.Launcher.Broker;

/// <summary>
/// The launcher's private mosquitto, read from the USP controller's own section (Usp:Mqtt) because it is the broker
/// that controller talks to; the production controller ignores these keys and never starts a broker.
/// </summary>
public sealed class LocalBrokerOptions
{
    public const string Section = "Usp:Mqtt";

    public bool Enabled { get; set; }
    public string BrokerUrl { get; set; } = "mqtt://127.0.0.1:1883";
    /// <summary>
    /// Run a private mosquitto on 127.0.0.1 at the broker URL's port (unless something listens there already).
    /// Unset: only when no BrokerUrl is configured, as the embedded PostgreSQL runs when no store is configured.
    /// </summary>
    public bool? StartLocalBroker { get; set; }
    /// <summary>
    /// The local broker keeps each agent to its own topic (an agent with its own secret logs in with it and reads
    /// usp/agent/&lt;endpoint id&gt;; an anonymous one, where Usp:Auth:AllowUnauthenticatedAgents lets it in, reads
    /// usp/agent/&lt;client id&gt;) and only the controller's user may read the controller's topic.
    /// </summary>
    public bool LocalBrokerAcl { get; set; } = true;
    /// <summary>How often the local broker takes the agents' logins from the orchestrator again (new or changed secrets).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan LoginRefresh { get; set; } = TimeSpan.FromSeconds(30);
    public string? Topic { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
}

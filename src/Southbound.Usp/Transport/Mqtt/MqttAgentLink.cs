using Provisioning.Southbound.Usp.Agents;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// An agent reached over MQTT: records are published to the agent's topic (its Response Topic or the subscribed topic
/// of its MQTTConnect record); to an MQTT 3.1.1 agent with the controller's topic as "/reply-to=" suffix (R-MQTT.24),
/// as 3.1.1 carries no Response Topic property.
/// </summary>
internal sealed class MqttAgentLink(UspMqttTransport transport, string agentTopic, bool mqtt311 = false) : IAgentLink
{
    public const string MtpName = "mqtt";

    public string Mtp => MtpName;
    private volatile string _agentTopic = agentTopic;
    // The topic name published to, worked out when the agent's topic is learned rather than for every record.
    private volatile string _publishTopic = mqtt311 ? agentTopic + transport.ReplyToSuffix : agentTopic;

    /// <summary>Where the agent last said it listens (set again when a later PUBLISH names another reply-to topic).</summary>
    public string AgentTopic
    {
        get => _agentTopic;
        set
        {
            _agentTopic = value;
            _publishTopic = Mqtt311 ? value + transport.ReplyToSuffix : value;
        }
    }
    public bool Mqtt311 { get; } = mqtt311;

    public ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        transport.PublishAsync(_publishTopic, record, cancellationToken);

    /// <summary>MQTT agents own their broker connection; the controller only stops using this one.</summary>
    public ValueTask CloseAsync(string reason) => ValueTask.CompletedTask;
}

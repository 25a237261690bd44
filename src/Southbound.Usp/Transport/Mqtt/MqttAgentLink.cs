using Provisioning.Southbound.Usp.Agents;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>An agent reached over MQTT: records are published to the agent's topic (its Response Topic or the subscribed topic of its MQTTConnect record).</summary>
internal sealed class MqttAgentLink(UspMqttTransport transport, string agentTopic) : IAgentLink
{
    public const string MtpName = "mqtt";

    public string Mtp => MtpName;
    public string AgentTopic { get; } = agentTopic;

    public ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        transport.PublishAsync(AgentTopic, record, cancellationToken);

    /// <summary>MQTT agents own their broker connection; the controller only stops using this one.</summary>
    public ValueTask CloseAsync(string reason) => ValueTask.CompletedTask;
}

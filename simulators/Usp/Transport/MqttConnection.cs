using System.Buffers;
using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using Provisioning.Usp.Records;

namespace Provisioning.Simulators.Usp.Transport;

/// <summary>
/// The agent side of the MQTT 5 MTP: CONNECT with user property usp-endpoint-id, subscribe to its own
/// topic, publish records to the controller's topic with the agent topic as Response Topic, content type usp.msg.
/// </summary>
internal sealed class MqttConnection : IAgentConnection
{
    private readonly IMqttClient _client;
    private readonly string _controllerTopic;
    private readonly string _agentTopic;
    private readonly byte[] _endpointIdBytes;
    private readonly Channel<byte[]> _inbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    private MqttConnection(IMqttClient client, string controllerTopic, string agentTopic, string endpointId)
    {
        _client = client;
        _controllerTopic = controllerTopic;
        _agentTopic = agentTopic;
        _endpointIdBytes = Encoding.UTF8.GetBytes(endpointId);
        _client.ApplicationMessageReceivedAsync += args =>
        {
            _inbox.Writer.TryWrite(args.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += _ =>
        {
            _inbox.Writer.TryComplete();
            return Task.CompletedTask;
        };
    }

    public static async Task<MqttConnection> ConnectAsync(Uri broker, string endpointId, string controllerTopic, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var agentTopic = "usp/agent/" + endpointId;
        var connection = new MqttConnection(client, controllerTopic, agentTopic, endpointId);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port > 0 ? broker.Port : 1883)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            // The endpoint ID as client ID: a broker ACL pattern (usp/agent/%c) then keeps the agent to its own topic.
            .WithClientId(endpointId)
            .WithUserProperty("usp-endpoint-id", connection._endpointIdBytes)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .Build();
        try
        {
            await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(agentTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return connection;
    }

    public Record ConnectRecord(string fromId, string toId) => new()
    {
        Version = "1.3",
        FromId = fromId,
        ToId = toId,
        MqttConnect = new MQTTConnectRecord { Version = MQTTConnectRecord.Types.MQTTVersion.V5, SubscribedTopic = _agentTopic },
    };

    public async ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_controllerTopic)
            .WithPayload(record.ToArray())
            .WithContentType("usp.msg")
            .WithResponseTopic(_agentTopic)
            .WithUserProperty("usp-endpoint-id", _endpointIdBytes)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReceiveAsync(Func<ReadOnlyMemory<byte>, ValueTask> onRecord, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var payload in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await onRecord(payload).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException)
        {
        }
    }

    public void Abort()
    {
        _inbox.Writer.TryComplete();
        _ = _client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.DisconnectWithWillMessage });
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _client.Dispose();
    }
}

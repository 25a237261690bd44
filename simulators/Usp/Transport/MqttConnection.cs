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

    /// <summary>
    /// Connects and subscribes to the agent's topic. With a secret (<paramref name="secret"/>, else the password of the broker
    /// URL's user info, "mqtt://:secret@host:port") the agent logs in as its endpoint ID, as the controller's local broker
    /// wants; without one it connects anonymously.
    /// </summary>
    public static async Task<MqttConnection> ConnectAsync(Uri broker, string endpointId, string controllerTopic, CancellationToken cancellationToken, string? secret = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var agentTopic = "usp/agent/" + endpointId;
        var connection = new MqttConnection(client, controllerTopic, agentTopic, endpointId);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port > 0 ? broker.Port : 1883)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            // The endpoint ID as client ID: an anonymous agent is kept to its own topic by an ACL pattern (usp/agent/%c);
            // one that logs in, by its username.
            .WithClientId(endpointId)
            .WithUserProperty("usp-endpoint-id", connection._endpointIdBytes)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60));
        if ((secret ?? PasswordIn(broker)) is { Length: > 0 } password) options.WithCredentials(Username(endpointId), password);
        try
        {
            await client.ConnectAsync(options.Build(), cancellationToken).ConfigureAwait(false);
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(agentTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return connection;
    }

    /// <summary>
    /// The broker username for an endpoint ID: ':' written "%3A" and '%' "%25" (mosquitto's password file cannot hold a
    /// name with ':'), the controller's local broker's convention.
    /// </summary>
    public static string Username(string endpointId) =>
        endpointId.Replace("%", "%25", StringComparison.Ordinal).Replace(":", "%3A", StringComparison.Ordinal);

    /// <summary>
    /// The broker URL with the agent's secret in its user info, for callers that hand the connection only a URL (the
    /// agent's connect loop passes no secret to MQTT yet).
    /// </summary>
    public static Uri? WithSecret(Uri? broker, string? secret) =>
        broker is null || string.IsNullOrEmpty(secret) ? broker
            : new Uri($"{broker.Scheme}://agent:{Uri.EscapeDataString(secret)}@{broker.Authority}{broker.PathAndQuery}");

    private static string? PasswordIn(Uri broker) =>
        broker.UserInfo.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? Uri.UnescapeDataString(broker.UserInfo[(colon + 1)..]) : null;

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

using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// The MQTT 5 MTP: the controller subscribes to its own topic and answers on each agent's Response Topic,
/// with content type "usp.msg" and user property usp-endpoint-id. Reconnects to the broker with backoff.
/// </summary>
internal sealed class UspMqttTransport(
    AgentRegistry registry,
    RecordDispatcher dispatcher,
    Agents.Authentication.AgentAuthentication authentication,
    BrokerReaders readers,
    IOptions<UspOptions> options,
    ILogger<UspMqttTransport> logger) : BackgroundService
{
    public const string ContentType = "usp.msg";
    public const string EndpointIdProperty = "usp-endpoint-id";
    private readonly UspOptions _options = options.Value;
    private IMqttClient? _client;
    private readonly ReadOnlyMemory<byte> _endpointIdBytes = System.Text.Encoding.UTF8.GetBytes(options.Value.EndpointId);
    // Records are handled in arrival order off MQTTnet's receive loop (publishing from inside its
    // handler and waiting for the PUBACK would stall that loop).
    private readonly System.Threading.Channels.Channel<MqttApplicationMessage> _inbox =
        System.Threading.Channels.Channel.CreateBounded<MqttApplicationMessage>(new System.Threading.Channels.BoundedChannelOptions(10_000) { SingleReader = true });

    /// <summary>Connected to the broker and subscribed to the controller's topic.</summary>
    public bool IsReady { get; private set; }

    public string Topic => _options.Mqtt.Topic is { Length: > 0 } topic ? topic : "usp/controller/" + _options.EndpointId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var broker = new Uri(_options.Mqtt.BrokerUrl);
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += args => _inbox.Writer.WriteAsync(args.ApplicationMessage, stoppingToken).AsTask();
        _client = client;
        var consumer = Task.Run(() => ConsumeAsync(stoppingToken), stoppingToken);
        var clientOptions = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port > 0 ? broker.Port : MqttTls.Wanted(broker, _options.Mqtt.Tls) ? 8883 : 1883)
            .WithTls(broker, _options.Mqtt.Tls)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(_options.Mqtt.ClientId is { Length: > 0 } id ? id : "usp-controller-" + Guid.NewGuid().ToString("N")[..12])
            .WithUserProperty(EndpointIdProperty, _endpointIdBytes)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        if (!string.IsNullOrEmpty(_options.Mqtt.Username)) clientOptions.WithCredentials(_options.Mqtt.Username, _options.Mqtt.Password);
        var built = clientOptions.Build();

        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    IsReady = false;
                    await client.ConnectAsync(built, stoppingToken).ConfigureAwait(false);
                    // "<topic>/#" matches the topic itself (MQTT 5 agents) and below it (3.1.1 agents publish to
                    // "<topic>/reply-to=<their topic>"); one filter, so the broker never delivers a record twice.
                    await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(Topic + "/#", MqttQualityOfServiceLevel.AtLeastOnce).Build(), stoppingToken).ConfigureAwait(false);
                    UspLog.MqttConnected(logger, _options.Mqtt.BrokerUrl, Topic);
                    IsReady = true;
                    delay = TimeSpan.FromMilliseconds(200);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                IsReady = false;
                UspLog.MqttError(logger, ex);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
        if (client.IsConnected)
        {
            try { await client.DisconnectAsync().ConfigureAwait(false); } catch (Exception ex) { UspLog.MqttError(logger, ex); }
        }
        _inbox.Writer.TryComplete();
        try { await consumer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        client.Dispose();
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await HandleAsync(message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                UspLog.MqttError(logger, ex);
            }
        }
    }

    public async ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        var client = _client;
        if (client is not { IsConnected: true }) throw new IOException("MQTT broker connection is down");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(record.ToArray())
            .WithContentType(ContentType)
            .WithResponseTopic(Topic)
            .WithUserProperty(EndpointIdProperty, _endpointIdBytes)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"usp/controller/x/reply-to=usp%2Fagent%2Fy" → "usp/agent/y" (TR-369's MQTT 3.1.1 binding).</summary>
    private string? ReplyToIn(string topic)
    {
        var prefix = Topic + "/reply-to=";
        // R-MQTT.24/25: the sender writes each "/" of its topic as "%2F"; the receiver turns them back (a topic
        // taken literally named a topic nobody subscribed to). Unencoded slashes are still accepted.
        return topic.StartsWith(prefix, StringComparison.Ordinal) && topic.Length > prefix.Length
            ? topic[prefix.Length..].Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)
            : null;
    }

    /// <summary>The controller's topic as an MQTT 3.1.1 reply-to suffix: "/reply-to=usp%2Fcontroller%2Fx" (R-MQTT.24).</summary>
    public string ReplyToSuffix => _replyToSuffix ??= "/reply-to=" + Topic.Replace("/", "%2F", StringComparison.Ordinal);
    private string? _replyToSuffix;

    private async Task HandleAsync(MqttApplicationMessage message)
    {
        Provisioning.Usp.Records.Record record;
        try
        {
            record = RecordCodec.ParseRecord(message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray());
        }
        catch (UspRecordException ex)
        {
            UspLog.BadRecord(logger, "(mqtt)", ex.Message);
            UspTelemetry.CountIgnored("unparseable");
            return;
        }

        var endpointId = record.FromId;
        if (EndpointIdValidator.Validate(endpointId) is { } invalid)
        {
            UspTelemetry.CountIgnored("invalid_from_id");
            UspLog.RecordIgnored(logger, endpointId, invalid);
            return;
        }
        if (!dispatcher.IsForUs(record, endpointId)) return;

        // The agent's topic: the one it subscribed to (MQTTConnect record), else the Response Topic of this message
        // (MQTT 5), else the reply-to suffix of the topic it published to (MQTT 3.1.1 has no properties).
        var agentTopic = record.RecordTypeCase == Provisioning.Usp.Records.Record.RecordTypeOneofCase.MqttConnect && record.MqttConnect.SubscribedTopic is { Length: > 0 } subscribed
            ? subscribed
            : !string.IsNullOrEmpty(message.ResponseTopic) ? message.ResponseTopic : ReplyToIn(message.Topic);
        if (!string.IsNullOrEmpty(agentTopic) && !readers.Allows(endpointId, agentTopic))
        {
            UspTelemetry.CountIgnored("reply_topic_not_own");
            UspLog.RecordIgnored(logger, endpointId, "answers asked on a topic only another agent may read");
            return;
        }
        var session = registry.Find(endpointId);
        // A new session only when the agent (re)connects or is not known over MQTT yet; its messages may name
        // other Response Topics without that being a new connection.
        if (record.RecordTypeCase == Provisioning.Usp.Records.Record.RecordTypeOneofCase.MqttConnect
            || session is null
            || session.Link is not MqttAgentLink)
        {
            if (string.IsNullOrEmpty(agentTopic))
            {
                UspTelemetry.CountIgnored("no_response_topic");
                UspLog.RecordIgnored(logger, endpointId, "MQTT record without a Response Topic");
                return;
            }
            // An MQTT 3.1.1 agent (no Response Topic; it said so in its MQTTConnect record or used the reply-to
            // topic form) learns where to answer only from the topic name: R-MQTT.24 wants the suffix there too.
            var mqtt311 = string.IsNullOrEmpty(message.ResponseTopic)
                && (ReplyToIn(message.Topic) is not null
                    || record.MqttConnect?.Version == Provisioning.Usp.Records.MQTTConnectRecord.Types.MQTTVersion.V311);
            session = registry.Connect(endpointId, new MqttAgentLink(this, agentTopic, mqtt311),
                readers.Proven ? Provisioning.Contracts.Southbound.ContactCredential.AgentSecret : Provisioning.Contracts.Southbound.ContactCredential.Unspecified);
            if (session is null)
            {
                // An agent of this endpoint ID is connected over WebSocket and authenticated or first: a publish naming
                // it on the broker does not take its place.
                authentication.Impostor(endpointId, MqttAgentLink.MtpName, null);
                return;
            }
        }
        else if (session.Link is MqttAgentLink link && !string.IsNullOrEmpty(agentTopic) && agentTopic != link.AgentTopic)
        {
            // R-MQTT.25/26: the answer goes to the reply-to topic of the PUBLISH received; an agent that came back on
            // another topic (a reboot, a new Response Information) would otherwise never hear from the controller.
            link.AgentTopic = agentTopic;
        }

        try
        {
            await dispatcher.DispatchAsync(session, record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (UspRecordException ex)
        {
            UspLog.BadRecord(logger, endpointId, ex.Message);
            UspTelemetry.CountIgnored("unparseable");
        }
    }
}

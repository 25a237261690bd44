using System.Collections.Concurrent;
using System.Net.WebSockets;
using Google.Protobuf;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Simulators.Usp.Transport;
using Provisioning.Usp.Messages;
using Provisioning.Usp.Records;

namespace Provisioning.Simulators.Usp.Agents;

/// <summary>
/// One simulated TR-369 agent, independent of the controller's code: it connects over WebSocket or MQTT,
/// announces itself with a connect record, sends Boot! when it holds a Boot! subscription for the
/// controller (else an OnBoardRequest on first boot), answers requests from its in-memory data model,
/// and reconnects with backoff. Faults can be injected per parameter; answers can be slowed down.
/// </summary>
public sealed partial class SimulatedUspAgent : IAsyncDisposable
{
    private readonly UspAgentOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, uint> _injectedErrors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _ignoredWrites = new(StringComparer.Ordinal);
    private IAgentConnection? _connection;
    private Task? _run;
    private volatile bool _bootPending = true;
    private volatile bool _onBoarded;
    private string _bootCause = "LocalReboot";
    private string _bootCommandKey = "";
    private bool _bootFirmwareUpdated;
    /// <summary>Notifications owed once the agent is back (an Activate()'s OperationComplete after its reboot).</summary>
    private readonly ConcurrentQueue<Func<IAgentConnection, ValueTask>> _afterBoot = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextMsgId;

    public SimulatedUspAgent(UspAgentOptions options)
    {
        if (options.WebSocketUrl is null && options.MqttBrokerUrl is null)
            throw new ArgumentException("either WebSocketUrl or MqttBrokerUrl is required", nameof(options));
        _options = options;
        DataModel = new AgentDataModel(options.Identity, options.ControllerEndpointId);
    }

    public string EndpointId => _options.Identity.EndpointId;

    public AgentIdentity Identity => _options.Identity;
    public AgentDataModel DataModel { get; }
    public AgentStatistics Statistics { get; } = new();
    public bool IsConnected => _connection is not null;
    public string Mtp => _options.WebSocketUrl is not null ? "websocket" : "mqtt";

    /// <summary>Delay before every answer (a slow agent).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>The close status the controller sent on the last WebSocket connection (1003 for a bad frame).</summary>
    public WebSocketCloseStatus? LastCloseStatus { get; private set; }
    public string? LastCloseDescription { get; private set; }
    /// <summary>The last connection failure (e.g. the upgrade refused with 400).</summary>
    public Exception? LastConnectError { get; private set; }
    /// <summary>The last refused upgrade (HTTP status and Retry-After), kept after later successes.</summary>
    public UpgradeRefusedException? LastRefusal { get; private set; }
    /// <summary>The controller's Sec-WebSocket-Extensions answer of the last WebSocket connection.</summary>
    public string? LastExtensionsHeader { get; private set; }

    /// <summary>A Set of this parameter fails with the code (7004, 7012, 7013...).</summary>
    public void InjectError(string parameterPath, uint code) => _injectedErrors[parameterPath] = code;
    public void ClearInjectedErrors() => _injectedErrors.Clear();
    /// <summary>A Set of this parameter answers success but does not change the value.</summary>
    public void IgnoreWritesTo(string parameterPath) => _ignoredWrites[parameterPath] = 0;

    /// <summary>
    /// A FirmwareImage Download() fails with this USP error in OperationComplete's cmd_failure (7022 command failure…),
    /// whatever the file server does; null: the outcome of the real fetch.
    /// </summary>
    public uint? DownloadError { get; set; }

    /// <summary>Activate() reboots (Boot! says FirmwareUpdated true) but the agent comes back on its old SoftwareVersion.</summary>
    public bool KeepsOldFirmware { get; set; }

    /// <summary>Device.FactoryReset() keeps the controller's Boot! subscription, so the agent announces Boot! with Cause RemoteFactoryReset; false: it onboards again.</summary>
    public bool ResetKeepsBootSubscription { get; set; } = true;

    public void Start() => _run ??= Task.Run(() => RunAsync(_stopping.Token));

    public Task WaitUntilConnectedAsync(TimeSpan timeout) => _connected.Task.WaitAsync(timeout);

    /// <summary>Polls until the condition holds (for tests).</summary>
    public async Task WaitUntilAsync(Func<SimulatedUspAgent, bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"agent {EndpointId}: condition not met within {timeout}");
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the connection abruptly (no close handshake); the agent reconnects with backoff.</summary>
    public void DropConnection() => _connection?.Abort();

    /// <summary>Reboots: drops the connection, stays away briefly, reconnects and announces Boot!.</summary>
    public void Reboot(string cause = "LocalReboot", string commandKey = "", bool firmwareUpdated = false)
    {
        _bootCause = cause;
        _bootCommandKey = commandKey;
        _bootFirmwareUpdated = firmwareUpdated;
        _bootPending = true;
        _connection?.Abort();
    }

    /// <summary>Sends bytes as they are on the current connection (binary frame / MQTT publish), for protocol tests.</summary>
    public async ValueTask SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        var connection = _connection ?? throw new InvalidOperationException("not connected");
        await connection.SendAsync(bytes, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Sends a text frame (WebSocket only), which the controller must refuse.</summary>
    public async ValueTask SendTextAsync(string text)
    {
        if (_connection is not WebSocketConnection ws) throw new InvalidOperationException("not connected over WebSocket");
        await ws.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Sends a Boot! event (to another endpoint when <paramref name="toId"/> is given) with its Cause argument.</summary>
    public ValueTask SendBootAsync(string? toId = null, string cause = "LocalReboot") => SendBootAsync(_connection, toId ?? _options.ControllerEndpointId, cause, "");

    public async Task StopAsync()
    {
        if (_connection is { } connection)
        {
            try
            {
                var disconnect = new Record { Version = "1.3", FromId = EndpointId, ToId = _options.ControllerEndpointId, Disconnect = new DisconnectRecord { Reason = "shutting down", ReasonCode = 7103 } };
                await connection.SendAsync(disconnect.ToByteArray(), CancellationToken.None).ConfigureAwait(false);
                if (connection is WebSocketConnection ws)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await ws.CloseAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
            {
            }
        }
        _stopping.Cancel();
        _connection?.Abort();
        if (_run is not null)
        {
            try { await _run.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = _options.ReconnectMinDelay;
        while (!stopping.IsCancellationRequested)
        {
            IAgentConnection? connection = null;
            try
            {
                if (_bootPending && Statistics.Connects > 0) await Task.Delay(_options.RebootDuration, stopping).ConfigureAwait(false);
                connection = await ConnectAsync(stopping).ConfigureAwait(false);
                LastConnectError = null;
                Interlocked.Increment(ref Statistics.connects);
                delay = _options.ReconnectMinDelay;
                _connection = connection;
                await connection.SendAsync(connection.ConnectRecord(EndpointId, _options.ControllerEndpointId).ToByteArray(), stopping).ConfigureAwait(false);
                _connected.TrySetResult();
                // What the agent announces is decided by its state at boot, before the controller can add a Boot!
                // subscription: deciding after the receive loop starts raced the controller's Add under load (the
                // agent then sent Boot! on its first boot, which asks for no NotifyResp).
                var holdsBootSubscription = FindBootSubscription() is not null;
                var receive = connection.ReceiveAsync(bytes => OnRecordAsync(connection, bytes), stopping);
                await AnnounceAsync(connection, holdsBootSubscription, stopping).ConfigureAwait(false);
                await receive.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (UpgradeRefusedException ex)
            {
                LastConnectError = ex;
                LastRefusal = ex;
                Interlocked.Increment(ref Statistics.upgradesRefused);
                // Back off as the controller asks (within this agent's own longest delay).
                if (ex.RetryAfter is { } wait) delay = TimeSpan.FromTicks(Math.Max(delay.Ticks, Math.Min(wait.Ticks, _options.ReconnectMaxDelay.Ticks)));
            }
            catch (Exception ex)
            {
                LastConnectError = ex;
            }
            finally
            {
                if (connection is not null)
                {
                    if (connection is WebSocketConnection ws && ws.CloseStatus is { } status)
                    {
                        LastCloseStatus = status;
                        LastCloseDescription = ws.CloseDescription;
                    }
                    if (ReferenceEquals(_connection, connection))
                    {
                        _connection = null;
                        _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
            if (stopping.IsCancellationRequested) break;
            try
            {
                // Jittered exponential backoff, like field agents (TR-369 retry algorithm in spirit).
                var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Max(1, delay.TotalMilliseconds / 2)));
                await Task.Delay(delay + jitter, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }
    }

    private async Task<IAgentConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        if (_options.WebSocketUrl is { } url)
        {
            var ws = await WebSocketConnection.ConnectAsync(url, EndpointId, _options.SubProtocol, _options.KeepAliveInterval, timeout.Token,
                _options.Secret, _options.ClientCertificate, _options.ServerCa).ConfigureAwait(false);
            LastExtensionsHeader = ws.ResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out var values) == true ? string.Join(",", values) : null;
            return ws;
        }
        var topic = _options.ControllerTopic ?? "usp/controller/" + _options.ControllerEndpointId;
        // Its own secret is its broker password too (the local broker gives each agent with a secret a login).
        return await MqttConnection.ConnectAsync(_options.MqttBrokerUrl!, EndpointId, topic, timeout.Token, _options.Secret).ConfigureAwait(false);
    }

    /// <summary>After connecting: Boot! if a Boot! subscription for this controller exists, else OnBoardRequest on first boot.</summary>
    private async Task AnnounceAsync(IAgentConnection connection, bool holdsBootSubscription, CancellationToken stopping)
    {
        if (!_bootPending) return;
        _bootPending = false;
        if (holdsBootSubscription)
        {
            await SendBootAsync(connection, _options.ControllerEndpointId, _bootCause, _bootCommandKey).ConfigureAwait(false);
            _bootFirmwareUpdated = false;
            while (_afterBoot.TryDequeue(out var owed)) await owed(connection).ConfigureAwait(false);
            return;
        }
        while (_afterBoot.TryDequeue(out var owed)) await owed(connection).ConfigureAwait(false);
        if (!_options.SendOnBoardRequest || _onBoarded) return;
        _ = Task.Run(async () =>
        {
            // Repeated until the controller answers with NotifyResp (TR-369: OnBoardRequest needs a response).
            while (!_onBoarded && ReferenceEquals(_connection, connection) && !stopping.IsCancellationRequested)
            {
                await SendNotifyAsync(connection, "", sendResp: true, notify => notify.OnBoardReq = new Notify.Types.OnBoardRequest
                {
                    Oui = Identity.Oui,
                    ProductClass = Identity.ProductClass,
                    SerialNumber = Identity.SerialNumber,
                    AgentSupportedProtocolVersions = "1.3,1.4",
                }, _options.ControllerEndpointId).ConfigureAwait(false);
                Interlocked.Increment(ref Statistics.onBoardRequestsSent);
                try { await Task.Delay(_options.OnBoardRetryInterval, stopping).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            }
        }, CancellationToken.None);
    }

    private string? FindBootSubscription()
    {
        foreach (var instance in DataModel.Instances("Device.LocalAgent.Subscription."))
        {
            if (DataModel[instance + "Enable"] is "true" or "1"
                && DataModel[instance + "NotifType"] == "Event"
                && (DataModel[instance + "ReferenceList"] ?? "").Split(',', StringSplitOptions.TrimEntries).Contains("Device.Boot!"))
                return DataModel[instance + "ID"] ?? "";
        }
        return null;
    }

    private async ValueTask SendBootAsync(IAgentConnection? connection, string toId, string cause, string commandKey)
    {
        if (connection is null) throw new InvalidOperationException("not connected");
        var subscriptionId = FindBootSubscription() ?? "";
        await SendNotifyAsync(connection, subscriptionId, sendResp: false, notify =>
        {
            notify.Event = new Notify.Types.Event { ObjPath = "Device.", EventName = "Boot!" };
            notify.Event.Params["CommandKey"] = commandKey;
            notify.Event.Params["Cause"] = cause;
            notify.Event.Params["FirmwareUpdated"] = _bootFirmwareUpdated ? "true" : "false";
            notify.Event.Params["ParameterMap"] = "{}";
        }, toId).ConfigureAwait(false);
        Interlocked.Increment(ref Statistics.bootsSent);
    }

    private async ValueTask SendNotifyAsync(IAgentConnection connection, string subscriptionId, bool sendResp, Action<Notify> fill, string toId)
    {
        var notify = new Notify { SubscriptionId = subscriptionId, SendResp = sendResp };
        fill(notify);
        var msg = new Msg
        {
            Header = new Header { MsgId = "a-" + Interlocked.Increment(ref _nextMsgId), MsgType = Header.Types.MsgType.Notify },
            Body = new Body { Request = new Request { Notify = notify } },
        };
        await SendMsgAsync(connection, msg, toId).ConfigureAwait(false);
    }

    private async ValueTask SendMsgAsync(IAgentConnection connection, Msg msg, string? toId = null)
    {
        var record = new Record
        {
            Version = "1.3",
            FromId = EndpointId,
            ToId = toId ?? _options.ControllerEndpointId,
            NoSessionContext = new NoSessionContextRecord { Payload = msg.ToByteString() },
        };
        try
        {
            await connection.SendAsync(record.ToByteArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or IOException)
        {
            // The connection went away meanwhile; the controller fails the request on its side.
        }
    }

    private async ValueTask OnRecordAsync(IAgentConnection connection, ReadOnlyMemory<byte> bytes)
    {
        Record record;
        Msg msg;
        try
        {
            record = Record.Parser.ParseFrom(bytes.Span);
            if (record.ToId != EndpointId || record.RecordTypeCase != Record.RecordTypeOneofCase.NoSessionContext) return;
            msg = Msg.Parser.ParseFrom(record.NoSessionContext.Payload);
        }
        catch (InvalidProtocolBufferException)
        {
            Interlocked.Increment(ref Statistics.unparseable);
            return;
        }
        if (msg.Header is null || msg.Body is null) return;

        if (msg.Body.MsgBodyCase == Body.MsgBodyOneofCase.Response)
        {
            if (msg.Body.Response.RespTypeCase == Response.RespTypeOneofCase.NotifyResp)
            {
                Interlocked.Increment(ref Statistics.notifyRespReceived);
                _onBoarded = true;
            }
            return;
        }
        if (msg.Body.MsgBodyCase != Body.MsgBodyOneofCase.Request) return;
        Interlocked.Increment(ref Statistics.requests);

        var delay = ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay).ConfigureAwait(false);
                await AnswerAsync(connection, msg).ConfigureAwait(false);
            });
            return;
        }
        await AnswerAsync(connection, msg).ConfigureAwait(false);
    }

    private async Task AnswerAsync(IAgentConnection connection, Msg request)
    {
        var answer = Handle(request);
        if (answer.Body.MsgBodyCase == Body.MsgBodyOneofCase.Error) Interlocked.Increment(ref Statistics.errorsReturned);
        await SendMsgAsync(connection, answer).ConfigureAwait(false);
        if (request.Body.Request.ReqTypeCase == Request.ReqTypeOneofCase.Operate && answer.Body.MsgBodyCase == Body.MsgBodyOneofCase.Response)
            AfterOperate(connection, request.Body.Request.Operate, answer.Body.Response.OperateResp.OperationResults[0]);
    }
}

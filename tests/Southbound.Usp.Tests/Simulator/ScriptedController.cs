using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Provisioning.Usp.Messages;
using Record = Provisioning.Usp.Records.Record;
using NoSessionContextRecord = Provisioning.Usp.Records.NoSessionContextRecord;

namespace Provisioning.Southbound.Usp.Tests.Simulator;

/// <summary>
/// A few lines of USP controller on HttpListener, not the real one: accepts the agent's WebSocket (v1.usp), hands
/// its messages to the test, sends the test's requests, and serves files under /fw/ (some behind Basic auth).
/// Enough to watch a simulated agent's firmware and reset commands without the orchestrator.
/// </summary>
internal sealed class ScriptedController : IAsyncDisposable
{
    public const string EndpointId = "self::scripted-controller";
    private readonly HttpListener listener = new();
    private readonly Channel<Msg> received = Channel.CreateUnbounded<Msg>();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private System.Net.WebSockets.WebSocket? current;
    private string agentId = "";
    private long nextId;

    public ScriptedController()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(BaseUrl + "/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }
    public Uri WebSocketUrl => new(BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/usp");
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();
    public ConcurrentDictionary<string, string> Protected { get; } = new();

    /// <summary>Sends an Operate and returns the agent's answer (OperateResp or Error).</summary>
    public async Task<Msg> OperateAsync(string command, string commandKey, IReadOnlyDictionary<string, string>? args = null)
    {
        var operate = new Operate { Command = command, CommandKey = commandKey, SendResp = true };
        if (args is not null) foreach (var (k, v) in args) operate.InputArgs[k] = v;
        var id = "c-" + Interlocked.Increment(ref nextId);
        await SendAsync(new Msg
        {
            Header = new Header { MsgId = id, MsgType = Header.Types.MsgType.Operate },
            Body = new Body { Request = new Request { Operate = operate } },
        });
        return await NextAsync(m => m.Header.MsgId == id);
    }

    /// <summary>The next message from the agent that matches, skipping others.</summary>
    public async Task<Msg> NextAsync(Func<Msg, bool> match, int seconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var msg = await received.Reader.ReadAsync(timeout.Token);
            if (match(msg)) return msg;
        }
    }

    public Task<Msg> NextNotifyAsync(Func<Notify, bool> match, int seconds = 20) =>
        NextAsync(m => m.Body?.Request?.Notify is { } n && match(n), seconds);

    private async Task SendAsync(Msg msg)
    {
        var record = new Record { Version = "1.3", ToId = agentId, FromId = EndpointId, NoSessionContext = new NoSessionContextRecord { Payload = msg.ToByteString() } };
        var socket = current ?? throw new InvalidOperationException("no agent connected");
        await socket.SendAsync(record.ToByteArray(), WebSocketMessageType.Binary, true, stopping.Token);
    }

    private async Task ServeAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            if (context.Request.IsWebSocketRequest)
            {
                _ = Task.Run(() => ReceiveAsync(context));
                continue;
            }
            ServeFile(context);
        }
    }

    private void ServeFile(HttpListenerContext context)
    {
        try
        {
            var name = context.Request.Url!.AbsolutePath.TrimStart('/').Replace("fw/", "", StringComparison.Ordinal);
            if (Protected.TryGetValue(name, out var credential)
                && context.Request.Headers["Authorization"] != "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credential)))
            {
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"firmware\"");
            }
            else if (Files.TryGetValue(name, out var bytes)) context.Response.OutputStream.Write(bytes);
            else context.Response.StatusCode = 404;
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException)
        {
        }
        finally
        {
            context.Response.Close();
        }
    }

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        var ws = (await context.AcceptWebSocketAsync("v1.usp")).WebSocket;
        current = ws;
        var buffer = new byte[64 * 1024];
        try
        {
            while (ws.State == WebSocketState.Open && !stopping.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(buffer, stopping.Token);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                var record = Record.Parser.ParseFrom(message.ToArray());
                agentId = record.FromId;
                if (record.RecordTypeCase == Record.RecordTypeOneofCase.NoSessionContext)
                    await received.Writer.WriteAsync(Msg.Parser.ParseFrom(record.NoSessionContext.Payload));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidProtocolBufferException)
        {
            // The agent went away (a reboot); it comes back on a new socket.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        listener.Close();
        try { await loop; } catch (ObjectDisposedException) { }
        stopping.Dispose();
    }
}

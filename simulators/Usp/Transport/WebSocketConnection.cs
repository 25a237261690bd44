using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Provisioning.Usp.Records;

namespace Provisioning.Simulators.Usp.Transport;

/// <summary>The agent side of the WebSocket MTP: subprotocol v1.usp, ?eid= and the bbf-usp-protocol extension, binary frames.</summary>
internal sealed class WebSocketConnection : IAgentConnection
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    private WebSocketConnection(ClientWebSocket socket) => _socket = socket;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseDescription => _socket.CloseStatusDescription;
    public IReadOnlyDictionary<string, IEnumerable<string>>? ResponseHeaders => _socket.HttpResponseHeaders;

    public static async Task<WebSocketConnection> ConnectAsync(Uri controllerUrl, string endpointId, string subProtocol, TimeSpan keepAlive, CancellationToken cancellationToken,
        string? secret = null, X509Certificate2? clientCertificate = null, X509Certificate2? serverCa = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(subProtocol);
        socket.Options.KeepAliveInterval = keepAlive;
        socket.Options.CollectHttpResponseDetails = true;
        if (secret is not null)
            socket.Options.SetRequestHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(endpointId + ":" + secret)));
        if (clientCertificate is not null) socket.Options.ClientCertificates.Add(clientCertificate);
        if (serverCa is not null)
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(serverCa, certificate, errors);
        socket.Options.SetRequestHeader("Sec-WebSocket-Extensions", $"bbf-usp-protocol; eid=\"{endpointId}\"");
        var separator = string.IsNullOrEmpty(controllerUrl.Query) ? "?" : "&";
        var url = new Uri(controllerUrl + separator + "eid=" + Uri.EscapeDataString(endpointId));
        try
        {
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            var status = socket.HttpStatusCode;
            var retryAfter = socket.HttpResponseHeaders?.TryGetValue("Retry-After", out var values) == true
                && int.TryParse(values.FirstOrDefault(), out var retrySeconds) ? TimeSpan.FromSeconds(retrySeconds) : (TimeSpan?)null;
            socket.Dispose();
            throw new UpgradeRefusedException(status, retryAfter, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new WebSocketConnection(socket);
    }

    private static bool TrustedBy(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    public Record ConnectRecord(string fromId, string toId) => new()
    {
        Version = "1.3",
        FromId = fromId,
        ToId = toId,
        WebsocketConnect = new WebSocketConnectRecord(),
    };

    public ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        SendAsync(record, WebSocketMessageType.Binary, cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(data, type, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    public async Task ReceiveAsync(Func<ReadOnlyMemory<byte>, ValueTask> onRecord, CancellationToken cancellationToken)
    {
        while (_socket.State == WebSocketState.Open)
        {
            var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            if (peek.MessageType == WebSocketMessageType.Close) return;
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                var length = 0;
                var end = peek.EndOfMessage;
                while (!end)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    length += result.Count;
                    end = result.EndOfMessage;
                }
                await onRecord(buffer.AsMemory(0, length)).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_socket.State == WebSocketState.Open)
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "agent closing", cancellationToken).ConfigureAwait(false);
    }

    public void Abort() => _socket.Abort();

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _sendGate.Dispose();
        return ValueTask.CompletedTask;
    }
}

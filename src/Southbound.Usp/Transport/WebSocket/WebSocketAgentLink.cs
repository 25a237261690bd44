using System.Net.WebSockets;
using Provisioning.Southbound.Usp.Agents;

namespace Provisioning.Southbound.Usp.Transport.WebSocket;

/// <summary>An agent's WebSocket: binary frames out, one sender at a time (WebSocket allows one outstanding send).</summary>
internal sealed class WebSocketAgentLink(System.Net.WebSockets.WebSocket socket) : IAgentLink
{
    public const string MtpName = "websocket";
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    public string Mtp => MtpName;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(record, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    public ValueTask CloseAsync(string reason) => CloseAsync(WebSocketCloseStatus.NormalClosure, reason);

    public async ValueTask CloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            socket.Abort();
        }
    }
}

using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Agents.Authentication;
using Provisioning.Southbound.Usp.Onboarding;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Transport.WebSocket;

/// <summary>
/// The WebSocket MTP (TR-369 Annex, "v1.usp"): the agent names itself in ?eid= (or, as TR-369 has clients do,
/// in its bbf-usp-protocol extension header), the answer carries the controller's endpoint ID in that header,
/// records travel in binary frames. Who the agent is, is decided before the upgrade (<see cref="AgentAuthentication"/>):
/// a refused agent gets an HTTP status with Retry-After, so it backs off, and never a WebSocket.
/// </summary>
internal sealed class UspWebSocketEndpoint(
    AgentRegistry registry,
    AgentAuthentication authentication,
    RecordDispatcher dispatcher,
    FirstContact firstContact,
    IOptions<UspOptions> options,
    ILogger<UspWebSocketEndpoint> logger)
{
    public const string SubProtocol = "v1.usp";
    private readonly UspOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "a WebSocket upgrade with subprotocol v1.usp is required").ConfigureAwait(false);
            return;
        }
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "the WebSocket subprotocol v1.usp is required").ConfigureAwait(false);
            return;
        }
        var offered = UspExtensionHeader.Offered(context.Request.Headers.SecWebSocketExtensions, out var headerEndpointId);
        var endpointId = context.Request.Query["eid"].ToString();
        if (endpointId.Length == 0) endpointId = headerEndpointId ?? "";
        if (EndpointIdValidator.Validate(endpointId) is { } invalid)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "eid: " + invalid).ConfigureAwait(false);
            return;
        }
        if (registry.Count >= _options.MaxConnections && registry.Find(endpointId) is null)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "connection limit reached", _options.Auth.ConnectedRetryAfter).ConfigureAwait(false);
            return;
        }

        var remoteAddress = context.Connection.RemoteIpAddress?.ToString();
        var decision = await authentication.AuthenticateAsync(endpointId, WebSocketAgentLink.MtpName,
            PresentedSecret.From(context.Request.Headers.Authorization, endpointId), context.Connection.ClientCertificate,
            remoteAddress, context.RequestAborted).ConfigureAwait(false);
        if (!decision.Accepted)
        {
            if (decision.Status == StatusCodes.Status401Unauthorized)
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"USP controller\", charset=\"UTF-8\"";
            await RefuseAsync(context, decision.Status, decision.Detail, decision.RetryAfter, endpointId).ConfigureAwait(false);
            return;
        }

        // Only to an agent that offered the extension: RFC 6455 clients (Node's ws, Python's websockets) fail the
        // handshake on an extension they did not ask for.
        if (offered)
            context.Response.Headers.SecWebSocketExtensions = UspExtensionHeader.Format(_options.EndpointId);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = SubProtocol,
            KeepAliveInterval = _options.KeepAliveInterval,
            // An agent whose connection died silently (NAT, power) is dropped after a missed pong: until then its
            // endpoint ID counts as connected, and an unauthenticated reconnect of it would be refused.
            KeepAliveTimeout = _options.KeepAliveInterval,
        }).ConfigureAwait(false);

        var link = new WebSocketAgentLink(socket);
        if (registry.Connect(endpointId, link, decision.Credential, remoteAddress, decision.Admission) is not { } session)
        {
            // Another connection of this endpoint ID won the race since the check before the upgrade.
            authentication.Impostor(endpointId, WebSocketAgentLink.MtpName, remoteAddress);
            await link.CloseAsync(WebSocketCloseStatus.PolicyViolation, "an agent with this endpoint id is connected").ConfigureAwait(false);
            return;
        }
        _ = ContactIfSilentAsync(session, context.RequestAborted);
        try
        {
            await ReceiveLoopAsync(socket, link, session, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
            // The agent went away without a close handshake: a normal event for CPEs.
        }
        finally
        {
            registry.Disconnect(session, "connection closed");
        }
    }

    private async Task ReceiveLoopAsync(System.Net.WebSockets.WebSocket socket, WebSocketAgentLink link, AgentSession session, CancellationToken aborted)
    {
        while (socket.State == WebSocketState.Open)
        {
            // Zero-byte read: no buffer is held while the agent is idle (20,000 idle agents hold nothing).
            var peek = await socket.ReceiveAsync(Memory<byte>.Empty, aborted).ConfigureAwait(false);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                await link.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye").ConfigureAwait(false);
                return;
            }
            if (peek.MessageType == WebSocketMessageType.Text)
            {
                await link.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "USP records travel in binary frames").ConfigureAwait(false);
                return;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            var length = 0;
            try
            {
                var end = peek.EndOfMessage;
                while (!end)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= _options.MaxRecordBytes)
                        {
                            await link.CloseAsync(WebSocketCloseStatus.MessageTooBig, "record too large").ConfigureAwait(false);
                            return;
                        }
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxRecordBytes));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    var result = await socket.ReceiveAsync(buffer.AsMemory(length), aborted).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    if (result.MessageType == WebSocketMessageType.Text)
                    {
                        await link.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "USP records travel in binary frames").ConfigureAwait(false);
                        return;
                    }
                    length += result.Count;
                    end = result.EndOfMessage;
                }

                Provisioning.Usp.Records.Record record;
                try
                {
                    record = RecordCodec.ParseRecord(buffer.AsSpan(0, length));
                }
                catch (UspRecordException ex)
                {
                    UspLog.BadRecord(logger, session.EndpointId, ex.Message);
                    UspTelemetry.CountIgnored("unparseable");
                    await link.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "unparseable USP record").ConfigureAwait(false);
                    return;
                }
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = [];

                try
                {
                    await dispatcher.DispatchAsync(session, record, aborted).ConfigureAwait(false);
                }
                catch (UspRecordException ex)
                {
                    UspLog.BadRecord(logger, session.EndpointId, ex.Message);
                    UspTelemetry.CountIgnored("unparseable");
                    await link.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "unparseable USP message").ConfigureAwait(false);
                    return;
                }
            }
            finally
            {
                if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>An agent that stays silent after connecting is still a contact: it may be waiting to be managed.</summary>
    private async Task ContactIfSilentAsync(AgentSession session, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(_options.SilentAgentContactDelay, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!session.IsClosed && !session.HasAnnounced) firstContact.OnContact(session, "websocket_connect");
    }

    private async Task RefuseAsync(HttpContext context, int status, string reason, TimeSpan? retryAfter = null, string? endpointId = null)
    {
        UspLog.UpgradeRefused(logger, status, endpointId ?? "", reason);
        context.Response.StatusCode = status;
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsync(reason, context.RequestAborted).ConfigureAwait(false);
    }
}

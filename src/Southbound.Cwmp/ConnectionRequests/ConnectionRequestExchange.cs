using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Provisioning.Southbound.Cwmp.ConnectionRequests;

/// <summary>
/// One HTTP/1.1 GET to a CPE's ConnectionRequestURL on a connection of its own, written by hand rather than with
/// HttpClient: the answer is read with <see cref="ConnectionRequestAnswer"/>'s tolerance, which a strict HTTP client
/// refuses, and the request carries only what TR-069 needs (no traceparent or tracestate: the ACS's internal trace
/// context never leaves for a device).
/// </summary>
internal static class ConnectionRequestExchange
{
    private const int MaxHead = 8 * 1024;
    /// <summary>After a status line, how long a server that neither ends its headers nor closes is given before its answer is taken as it is.</summary>
    private static readonly TimeSpan HeadQuiet = TimeSpan.FromMilliseconds(500);

    public static async Task<ConnectionRequestAnswer> GetAsync(Uri uri, string? authorization, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connecting.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(uri.IdnHost, uri.Port, connecting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionRequestException("not delivered: no TCP connection within " + connectTimeout.TotalSeconds + " s");
            }
            catch (SocketException e)
            {
                throw new ConnectionRequestException($"not delivered: {Describe(e.SocketErrorCode)}");
            }
        }
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        await using (stream.ConfigureAwait(false))
        {
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                try
                {
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = uri.IdnHost }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
                {
                    await tls.DisposeAsync().ConfigureAwait(false);
                    throw new ConnectionRequestException("not delivered: TLS handshake failed (" + e.Message + ")");
                }
                stream = tls;
            }
            var request = new StringBuilder()
                .Append("GET ").Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port).Append("\r\n")
                .Append("Connection: close\r\n");
            if (authorization is not null) request.Append("Authorization: ").Append(authorization).Append("\r\n");
            request.Append("Content-Length: 0\r\n\r\n");
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new ConnectionRequestException("not delivered: the connection failed while sending (" + Inner(e) + ")");
            }
            return await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ConnectionRequestAnswer> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[MaxHead];
        var length = 0;
        while (length < head.Length)
        {
            var parsed = ConnectionRequestAnswer.TryParse(head.AsSpan(0, length));
            if (parsed is not null && ConnectionRequestAnswer.IsComplete(head.AsSpan(0, length))) return parsed;
            int read;
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Once a status line is there, a server that writes no blank line and keeps the connection open has said all it will.
            if (parsed is not null) quiet.CancelAfter(HeadQuiet);
            try
            {
                read = await stream.ReadAsync(head.AsMemory(length), quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (parsed is not null && !cancellationToken.IsCancellationRequested)
            {
                return parsed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionRequestException(length == 0 ? "delivered, no answer" : "delivered, the answer was incomplete", timedOut: true);
            }
            catch (IOException e)
            {
                throw new ConnectionRequestException("delivered, then the connection failed (" + Inner(e) + ")");
            }
            if (read == 0)
            {
                return ConnectionRequestAnswer.TryParse(head.AsSpan(0, length).ToArray().Append((byte)'\n').ToArray())
                    ?? throw new ConnectionRequestException(length == 0 ? "delivered, the device closed the connection without an answer" : "delivered, the answer has no readable status line");
            }
            length += read;
        }
        return ConnectionRequestAnswer.TryParse(head) ?? throw new ConnectionRequestException("delivered, the answer has no readable status line");
    }

    private static string Inner(IOException e) => e.InnerException is SocketException s ? Describe(s.SocketErrorCode) : e.Message;

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        SocketError.TimedOut => "connection timed out",
        SocketError.ConnectionReset => "connection reset",
        SocketError.HostNotFound or SocketError.NoData => "host name not found",
        _ => error.ToString(),
    };
}

/// <summary>A Connection Request attempt that got no HTTP answer; the message says whether the request reached the device.</summary>
internal sealed class ConnectionRequestException(string message, bool timedOut = false) : Exception(message)
{
    public bool TimedOut { get; } = timedOut;
}

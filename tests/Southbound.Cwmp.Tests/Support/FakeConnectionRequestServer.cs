using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>
/// A CPE's Connection Request server reduced to bytes: records each request head it receives and answers with what
/// <see cref="Answer"/> gives for it (null: never answer, keep the connection open), then closes unless told not to.
/// </summary>
public sealed class FakeConnectionRequestServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    public FakeConnectionRequestServer()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/cr/device";

    /// <summary>Answer bytes for the n-th request (1 for the first) and its head.</summary>
    public Func<int, string, string?> Answer { get; set; } = (_, _) => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    /// <summary>Keep the connection open after answering (a server that neither ends its headers nor closes).</summary>
    public bool KeepOpen { get; set; }

    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        var n = 0;
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client, Interlocked.Increment(ref n));
        }
    }

    private async Task ServeAsync(TcpClient client, int n)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, stopping.Token);
                    if (read == 0) return;
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                Requests.Enqueue(head.ToString());
                var answer = Answer(n, head.ToString());
                if (answer is not null) await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), stopping.Token);
                if (answer is null || KeepOpen) await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await accepting;
        stopping.Dispose();
    }
}

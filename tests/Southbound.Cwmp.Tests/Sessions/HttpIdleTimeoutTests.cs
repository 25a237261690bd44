using System.Net.Sockets;
using System.Text;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>Idle connections are closed on a timeout sized for CPEs (Cwmp:KeepAliveTimeout, Cwmp:RequestHeadersTimeout), not Kestrel's 130 s.</summary>
public sealed class HttpIdleTimeoutTests
{
    [Fact]
    public async Task A_kept_alive_connection_left_idle_and_one_that_never_finishes_its_headers_are_closed()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Cwmp:KeepAliveTimeout"] = "00:00:01",
            ["Cwmp:RequestHeadersTimeout"] = "00:00:01",
        });

        using var idle = new TcpClient();
        await idle.ConnectAsync(h.AcsUrl.Host, h.AcsUrl.Port);
        var stream = idle.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {h.AcsUrl.PathAndQuery} HTTP/1.1\r\nHost: {h.AcsUrl.Authority}\r\nContent-Length: 0\r\n\r\n"));
        using var slow = new TcpClient();
        await slow.ConnectAsync(h.AcsUrl.Host, h.AcsUrl.Port);
        await slow.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST {h.AcsUrl.PathAndQuery} HTTP/1.1\r\nHost: "));

        Assert.True(await ClosedWithinAsync(stream, TimeSpan.FromSeconds(8)), "the idle kept-alive connection is still open");
        Assert.True(await ClosedWithinAsync(slow.GetStream(), TimeSpan.FromSeconds(8)), "the connection that never finished its headers is still open");
    }

    /// <summary>Reads (and discards) whatever comes until the peer closes; false when it has not within the time.</summary>
    private static async Task<bool> ClosedWithinAsync(NetworkStream stream, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}

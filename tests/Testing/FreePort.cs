using System.Net;
using System.Net.Sockets;

namespace Provisioning.Testing;

/// <summary>
/// Ports for hosts whose address must be known before they start. They come from below Linux's ephemeral range
/// (32768 and up), so an outgoing connection of a parallel test can never take one between this check and the host
/// binding it; each test process walks its own stretch so two test assemblies running at once do not meet.
/// </summary>
public static class FreePort
{
    private const int First = 20_000;
    private const int Stretch = 200;
    private const int Stretches = 60;
    private const int Range = Stretch * Stretches;
    private static readonly int OwnStretch = Environment.ProcessId % Stretches * Stretch;
    private static int _handedOut = -1;

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Range; tries++)
        {
            var port = First + (OwnStretch + Interlocked.Increment(ref _handedOut)) % Range;
            if (IsFree(port)) return port;
        }
        throw new InvalidOperationException($"no free loopback port between {First} and {First + Range}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Provisioning.Resilience.Tests;

/// <summary>
/// Stands in for the operator's load balancer in front of the orchestrator instances (outside the system): each
/// new TCP connection goes to the first backend, in order of preference, that accepts it, so clients fail over
/// when an instance dies.
/// </summary>
public sealed class TcpLoadBalancer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<int> _backends;
    private readonly CancellationTokenSource _stop = new();

    public TcpLoadBalancer(IReadOnlyList<int> backendPorts)
    {
        _backends = backendPorts;
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        {
            for (var attempt = 0; attempt < _backends.Count; attempt++)
            {
                var port = _backends[attempt];
                using var backend = new TcpClient();
                try { await backend.ConnectAsync(IPAddress.Loopback, port, _stop.Token); }
                catch (SocketException) { continue; }
                var a = client.GetStream();
                var b = backend.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token)).ContinueWith(_ => { });
                return;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}

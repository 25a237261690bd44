using Provisioning.Launcher.Broker;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>A private mosquitto on a free loopback port, started the way the controller starts its local broker.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly MosquittoProcess _process;

    private MosquittoBroker(MosquittoProcess process, int port)
    {
        _process = process;
        Url = new Uri($"mqtt://127.0.0.1:{port}");
    }

    public Uri Url { get; }

    public static string FindExecutable() => MosquittoProcess.Executable()
        ?? throw new InvalidOperationException("mosquitto is not installed: the USP MQTT tests need Debian's broker (apt-get install -y mosquitto)");

    public static async Task<MosquittoBroker> StartAsync()
    {
        var port = FreePort.Next();
        return new MosquittoBroker(await MosquittoProcess.StartAsync(FindExecutable(), port, onError: null, CancellationToken.None), port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

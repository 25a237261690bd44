using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Provisioning.Testing;

/// <summary>A real HTTP/2 gRPC listener on a free loopback port serving one fake's instance (the fake orchestrator, the scripted adapter).</summary>
public sealed class TestGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGrpcServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<TestGrpcServer> StartAsync<TService>(TService service) where TService : class
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(service);
            }
            catch (IOException) when (attempt < 5)
            {
                // The free port was taken between choosing and binding it (parallel test processes): another one.
            }
        }
    }

    private static async Task<TestGrpcServer> TryStartAsync<TService>(TService service) where TService : class
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<TService>();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new TestGrpcServer(app, $"http://localhost:{port}");
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

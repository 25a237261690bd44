using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>
/// A real HTTP file server for firmware images (GET /fw/{name}), counting the fetches so a test can tell whether a CPE
/// was sent a second Download; <see cref="Delay"/> makes each fetch slow (a transfer that outlasts a call's deadline).
/// </summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int fetches;

    private ImageServer(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
    public TimeSpan Delay { get; set; }
    public int Fetches => Volatile.Read(ref fetches);

    public string Url(string name) => $"{BaseUrl}/fw/{name}";

    public static async Task<ImageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        builder.WebHost.UseUrls(baseUrl);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ImageServer(app, baseUrl);
        app.MapGet("/fw/{name}", async (string name, HttpContext context) =>
        {
            Interlocked.Increment(ref server.fetches);
            if (server.Delay > TimeSpan.Zero) await Task.Delay(server.Delay, context.RequestAborted);
            return server.Files.TryGetValue(name, out var image) ? Results.Bytes(image, "application/octet-stream") : Results.NotFound();
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

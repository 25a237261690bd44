using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>Firmware images over real HTTP (Kestrel on a free loopback port) under /fw/; a file may be served slowly.</summary>
public sealed class FirmwareFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FirmwareFileServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>How long a file's answer is held back (a download outlasting the step).</summary>
    public ConcurrentDictionary<string, TimeSpan> Delays { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<string> Requests { get; } = new();

    public string UrlOf(string name) => $"{BaseUrl}/fw/{name}";

    /// <summary>An image in the simulators' convention: its first line names the version it installs.</summary>
    public static byte[] Image(string version) => [.. Encoding.ASCII.GetBytes($"CPE-FIRMWARE {version}\n"), .. new byte[2048]];

    public static string Sha256Of(byte[] image) => Convert.ToHexStringLower(SHA256.HashData(image));

    public static async Task<FirmwareFileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        builder.WebHost.UseUrls(baseUrl);
        var app = builder.Build();
        var server = new FirmwareFileServer(app, baseUrl);
        app.MapGet("/fw/{name}", async (string name, HttpContext context) =>
        {
            server.Requests.Enqueue(name);
            if (server.Delays.TryGetValue(name, out var delay)) await Task.Delay(delay, context.RequestAborted);
            if (!server.Files.TryGetValue(name, out var bytes)) return Results.NotFound();
            return Results.Bytes(bytes, "application/octet-stream");
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

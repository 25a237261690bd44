using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Provisioning.Simulators.Cwmp;

/// <summary>
/// One HTTP listener for the whole fleet's Connection Requests: GET /cr/{serial}, Digest-protected with
/// each device's ConnectionRequestUsername/Password. A valid request makes the device open a session with
/// "6 CONNECTION REQUEST"; a device already in a session answers 503.
/// </summary>
public sealed class ConnectionRequestListener : IAsyncDisposable
{
    private const string Realm = "Simulated CPE";
    private readonly WebApplication app;
    private readonly Func<string, SimulatedCpe?> findDevice;
    private readonly ConcurrentDictionary<string, long> nonces = new(StringComparer.Ordinal);

    private ConnectionRequestListener(WebApplication app, Func<string, SimulatedCpe?> findDevice)
    {
        this.app = app;
        this.findDevice = findDevice;
    }

    /// <summary>Base URL, e.g. http://127.0.0.1:40123 (without a trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public static async Task<ConnectionRequestListener> StartAsync(string host, int port, Func<string, SimulatedCpe?> findDevice)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        // One listener stands in for a whole fleet's CPEs, each of which would have its own: queue a storm's
        // Connection Requests rather than have the kernel drop them (Kestrel's default backlog is 512).
        builder.WebHost.UseSockets(sockets => sockets.Backlog = 4096);
        var app = builder.Build();
        var listener = new ConnectionRequestListener(app, findDevice);
        app.MapGet("/cr/{serial}", (HttpContext context, string serial) => listener.Handle(context, serial));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener.BaseUrl = address.Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1").TrimEnd('/');
        return listener;
    }

    private IResult Handle(HttpContext context, string serial)
    {
        var device = findDevice(serial);
        if (device is null) return Results.NotFound();
        switch (device.Behavior.ConnectionRequests)
        {
            case ConnectionRequestMode.Ignore:
                context.Abort();
                return Results.Empty;
            case ConnectionRequestMode.Busy:
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        if (!Authorized(context.Request, device))
        {
            var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            nonces[nonce] = Environment.TickCount64;
            if (nonces.Count > 10_000) foreach (var (n, at) in nonces) if (Environment.TickCount64 - at > 60_000) nonces.TryRemove(n, out _);
            context.Response.Headers.WWWAuthenticate = $"Digest realm=\"{Realm}\", qop=\"auth\", nonce=\"{nonce}\", algorithm=MD5";
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        return device.TryStartConnectionRequestSession() ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
    }

    private bool Authorized(HttpRequest request, SimulatedCpe device)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)) return false;
        var p = DigestCredentials.Parse(header[7..]);
        var nonce = p.GetValueOrDefault("nonce") ?? "";
        if (!nonces.TryRemove(nonce, out var issued) || Environment.TickCount64 - issued > 60_000) return false;
        if (p.GetValueOrDefault("username") != device.Options.ConnectionRequestUsername) return false;
        var expected = DigestCredentials.Response(device.Options.ConnectionRequestUsername, Realm, device.Options.ConnectionRequestPassword,
            request.Method, p.GetValueOrDefault("uri") ?? "", nonce, p.GetValueOrDefault("nc") ?? "", p.GetValueOrDefault("cnonce") ?? "", p.GetValueOrDefault("qop"));
        return string.Equals(expected, p.GetValueOrDefault("response"), StringComparison.OrdinalIgnoreCase);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}

using Provisioning.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Southbound;
using Provisioning.ServiceDefaults.Connections;
using Provisioning.ServiceDefaults.Tls;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Southbound.Cwmp.ConnectionRequests;
using Provisioning.Southbound.Cwmp.Grpc;
using Provisioning.Southbound.Cwmp.Sessions;

namespace Provisioning.Southbound.Cwmp.Extensions;

public static class CwmpAdapterExtensions
{
    /// <summary>Kestrel on exactly two listeners (HTTP/1.1 ACS, HTTP/2 cleartext gRPC) and the adapter's services.</summary>
    public static WebApplicationBuilder AddCwmpAdapter(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<CwmpOptions>(CwmpOptions.Section);
        builder.Services.AddSingleton(options);

        // Each listener holds a bounded number of connections, so a flood of silent TCP connections to the ACS port
        // displaces itself and never takes the files the gRPC listener (or the rest of the process) needs.
        var acsBudget = builder.AddConnectionBudget(ConnectionBudgets.Acs);
        var grpcBudget = builder.AddConnectionBudget(ConnectionBudgets.CwmpInternal);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listener.Listen(kestrel, options.AcsUrl, HttpProtocols.Http1, acsBudget);
            Listener.Listen(kestrel, options.GrpcUrl, HttpProtocols.Http2, grpcBudget);
            // The ACS enforces its own, smaller envelope limit (answered with 413).
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxEnvelopeBytes * 2L, 64 * 1024);
            // Sized for CPEs, not browsers: a CPE speaks at once and ends its session with the 204, so a connection idle
            // for longer, or one that takes long over its headers, is most likely holding a file for nothing.
            kestrel.Limits.KeepAliveTimeout = options.KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        });
        builder.WebHost.UseSockets(sockets => sockets.Backlog = options.ListenBacklog);

        builder.Services.AddGrpc();
        builder.Services.AddGrpcClient<DeviceContacts.DeviceContactsClient>(client => client.Address = new Uri(options.OrchestratorUrl))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                EnableMultipleHttp2Connections = true,
            })
            .AddInternalChannel(builder.Configuration, "Cwmp:Tls");
        // One client instance for the whole adapter (the factory would build one per resolution).
        builder.Services.AddSingleton(sp => sp.GetRequiredService<global::Grpc.Net.ClientFactory.GrpcClientFactory>()
            .CreateClient<DeviceContacts.DeviceContactsClient>(nameof(DeviceContacts.DeviceContactsClient)));

        builder.Services.AddSingleton<CpeSessionRegistry>();
        builder.Services.AddSingleton<KnownDevices>();
        builder.Services.AddSingleton<DeviceCredentialStore>();
        builder.Services.AddSingleton(sp => new SteadyLookups(options.Auth.WatchedCacheDuration, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<DeviceChangeWatcher>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DigestNonces>();
        builder.Services.AddSingleton<RefusedContactReporter>();
        builder.Services.AddSingleton<CpeAuthenticator>();
        builder.Services.AddSingleton<ConnectionRequester>();
        builder.Services.AddSingleton<DeviceRpcRunner>();
        builder.Services.AddSingleton<TransferOutcomes>();
        builder.Services.AddSingleton<Provisioning.Contracts.DataModel.InstanceMaps>();
        builder.Services.AddSingleton<Grpc.MissingInstances>();
        builder.Services.AddSingleton<AcsEndpoint>();
        builder.Services.AddHostedService<SessionSweeper>();
        return builder;
    }

    /// <summary>
    /// gRPC only on the gRPC listener; the ACS (POST on any path) only on the ACS listener. Split by the local
    /// port the connection arrived on, not by the Host header: CPEs often reach the ACS through a port forward
    /// or load balancer, so their Host header need not name the port Kestrel listens on.
    /// </summary>
    public static WebApplication MapCwmpAdapter(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<CwmpOptions>();
        if (options.Auth.Enabled && options.Auth.AllowBasic && options.Auth.AllowBasicOverHttp)
            Telemetry.CwmpLog.BasicOverHttpAllowed(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CwmpAdapterExtensions).FullName!));
        app.UseConnectionBudgets();
        var grpcPort = ParseListenUrl(options.GrpcUrl).Port;
        app.Use((context, next) =>
        {
            var onGrpcListener = context.Connection.LocalPort == grpcPort;
            var isGrpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
            if (onGrpcListener == isGrpc) return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        app.MapGrpcService<DeviceAdapterService>();
        var endpoint = app.Services.GetRequiredService<AcsEndpoint>();
        app.MapPost("/{**path}", (HttpContext context) => endpoint.HandleAsync(context));
        return app;
    }

    private static Uri ParseListenUrl(string url) => ServiceDefaults.Connections.Listener.UriOf(url);
}

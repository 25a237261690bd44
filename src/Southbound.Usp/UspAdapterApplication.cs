using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Provisioning.ServiceDefaults;
using Provisioning.ServiceDefaults.Connections;
using Provisioning.ServiceDefaults.Grpc;
using Provisioning.ServiceDefaults.Security;
using Provisioning.ServiceDefaults.Tls;
using Provisioning.Southbound.Usp.Extensions;
using Provisioning.Southbound.Usp.Grpc;
using Provisioning.Southbound.Usp.Hosting;

namespace Provisioning.Southbound.Usp;

/// <summary>The USP controller host: WebSocket MTP (HTTP/1.1) on Usp:WebSocketUrl, DeviceAdapter gRPC (HTTP/2) on Usp:GrpcUrl.</summary>
public static class UspAdapterApplication
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(UspAdapterApplication).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);

        var options = builder.Configuration.GetSection(UspOptions.Section).Get<UspOptions>() ?? new UspOptions();
        var listeners = UspListeners.From(options);
        // Each listener on a budget of its own: a flood of idle connections to the agents' port neither reaches the
        // process's file limit nor starves the orchestrator's gRPC calls (and the reverse).
        var agents = builder.AddConnectionBudget(ConnectionBudgets.Usp);
        var internalCalls = builder.AddConnectionBudget(ConnectionBudgets.UspInternal);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listener.Listen(kestrel, options.WebSocketUrl, HttpProtocols.Http1, agents, listen => AcceptAgentCertificates(listen, listeners.WebSocket));
            Listener.Listen(kestrel, options.GrpcUrl, HttpProtocols.Http2, internalCalls);
        });
        builder.WebHost.UseSockets(sockets => sockets.Backlog = options.ListenBacklog);

        builder.AddProvisioningTelemetry("usp-controller");
        // https:// listeners (WSS, gRPC) serve Usp:Tls's certificate; the DeviceAdapter gRPC server wants the internal key.
        builder.RequireInternalKey().UseTlsCertificateFrom("Usp:Tls");
        builder.AddUspController();
        builder.Services.AddSingleton(listeners);
        builder.AnswerMalformedRequestsWithInvalidArgument();

        var app = builder.Build();
        app.UseConnectionBudgets();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval });
        // Which service a request reaches is decided by the listener it arrived on, never by its Host header.
        app.UseMiddleware<ListenerSplit>();
        app.MapUspWebSocket(options.WebSocketPath);
        app.MapGrpcService<UspDeviceAdapterService>();
        return app;
    }

    /// <summary>
    /// WSS: agents may present a client certificate (TR-369 R-SEC.4). Any is taken at the TLS layer and judged before
    /// the upgrade (AgentAuthentication), so a refusal is an HTTP status the agent backs off from, and on record, rather
    /// than a failed handshake.
    /// </summary>
    private static void AcceptAgentCertificates(ListenOptions listen, Uri uri)
    {
        if (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)) return;
        listen.UseHttps(https =>
        {
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.AllowAnyClientCertificate();
        });
    }
}

using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Provisioning.ServiceDefaults;
using Provisioning.ServiceDefaults.Security;
using Provisioning.ServiceDefaults.Tls;
using Provisioning.Southbound.Usp.Extensions;
using Provisioning.Southbound.Usp.Grpc;

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
        var webSocketUri = new Uri(options.WebSocketUrl);
        var grpcUri = new Uri(options.GrpcUrl);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, webSocketUri, HttpProtocols.Http1, agentCertificates: true);
            Listen(kestrel, grpcUri, HttpProtocols.Http2);
        });
        builder.WebHost.UseSockets(sockets => sockets.Backlog = options.ListenBacklog);

        builder.AddProvisioningTelemetry("usp-controller");
        // https:// listeners (WSS, gRPC) serve Usp:Tls's certificate; the DeviceAdapter gRPC server wants the internal key.
        builder.RequireInternalKey().UseTlsCertificateFrom("Usp:Tls");
        builder.AddUspController();

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval });
        app.MapUspWebSocket(options.WebSocketPath, $"*:{webSocketUri.Port}");
        app.MapGrpcService<UspDeviceAdapterService>().RequireHost($"*:{grpcUri.Port}");
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, Uri uri, HttpProtocols protocols, bool agentCertificates = false)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (!agentCertificates)
            {
                listen.UseTlsWhenHttps(uri);
                return;
            }
            // WSS: agents may present a client certificate (TR-369 R-SEC.4). Any is taken at the TLS layer and judged
            // before the upgrade (AgentAuthentication), so a refusal is an HTTP status the agent backs off from, and
            // on record, rather than a failed handshake.
            if (string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
                listen.UseHttps(https =>
                {
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                });
        }
        if (uri.Host is "localhost") kestrel.ListenLocalhost(uri.Port, Configure);
        else if (uri.Host is "0.0.0.0" or "*" or "+") kestrel.ListenAnyIP(uri.Port, Configure);
        else kestrel.Listen(IPAddress.Parse(uri.Host), uri.Port, Configure);
    }
}

using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Provisioning.ServiceDefaults.Tls;

namespace Provisioning.ServiceDefaults.Connections;

/// <summary>
/// One way for every host to turn a configured URL ("http://0.0.0.0:7547", "https://127.0.0.1:50051", "http://*:8081")
/// into a Kestrel listener: TLS when the URL says https, and a connection budget of its own.
/// </summary>
public static class Listener
{
    public static ListenOptions? Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, ConnectionBudget budget,
        Action<ListenOptions>? configure = null)
    {
        // Kestrel-style wildcards are not valid URI hosts.
        var uri = new Uri(url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));
        ListenOptions? declared = null;
        void Configure(ListenOptions listen)
        {
            declared = listen;
            listen.Use(budget.Admit);
            listen.Protocols = protocols;
            if (configure is not null) configure(listen);
            else listen.UseTlsWhenHttps(uri);
        }
        if (uri.Host is "localhost") kestrel.ListenLocalhost(uri.Port, Configure);
        else if (uri.Host is "0.0.0.0") kestrel.ListenAnyIP(uri.Port, Configure);
        else if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)) kestrel.Listen(address, uri.Port, Configure);
        // A DNS name (the address devices are told) is not an interface to bind: listen on all of them.
        else kestrel.ListenAnyIP(uri.Port, Configure);
        return declared;
    }
}

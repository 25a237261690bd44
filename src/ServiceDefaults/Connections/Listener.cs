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
    /// <summary>A configured listener URL as a URI: Kestrel-style wildcards ("*", "+") are not valid URI hosts.</summary>
    public static Uri UriOf(string url) =>
        new(url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));

    public static ListenOptions? Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, ConnectionBudget budget,
        Action<ListenOptions>? configure = null)
    {
        var uri = UriOf(url);
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

    /// <summary>A listen URL as a client dials it: a wildcard host ("0.0.0.0", "[::]", "*", "+") is reached on loopback.</summary>
    public static string Dialable(string listenUrl)
    {
        var trimmed = listenUrl.Trim().TrimEnd('/');
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return trimmed;
        var hostStart = schemeEnd + 3;
        var rest = trimmed[hostStart..];
        foreach (var (wildcard, loopback) in new[] { ("0.0.0.0", "127.0.0.1"), ("[::]", "[::1]"), ("*", "127.0.0.1"), ("+", "127.0.0.1") })
            if (rest.StartsWith(wildcard + ":", StringComparison.Ordinal) || rest == wildcard)
                return trimmed[..hostStart] + loopback + rest[wildcard.Length..];
        return trimmed;
    }
}

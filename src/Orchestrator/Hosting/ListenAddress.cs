using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Provisioning.ServiceDefaults.Tls;

namespace Provisioning.Orchestrator.Hosting;

/// <summary>Turns a configured URL ("http://127.0.0.1:50051", "http://0.0.0.0:7547") into a Kestrel listener.</summary>
public static class ListenAddress
{
    public static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        var uri = new Uri(url);
        var address = uri.Host switch
        {
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            "[::]" => IPAddress.IPv6Any,
            var host => IPAddress.Parse(host.Trim('[', ']')),
        };
        kestrel.Listen(address, uri.Port, listen => listen.UseTlsWhenHttps(uri).Protocols = protocols);
    }
}

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Provisioning.ServiceDefaults.Connections;

namespace Provisioning.Orchestrator.Firmware;

/// <summary>The image server's own HTTP/1.1 listener, apart from the northbound gRPC one (HTTP/2 only, credentials required).</summary>
public static class FirmwareImageListener
{
    public static void Listen(KestrelServerOptions kestrel, FirmwareImageOptions options, ConnectionBudget budget) =>
        Listener.Listen(kestrel, options.ImageUrl, HttpProtocols.Http1AndHttp2, budget);

    public static int PortOf(string url) => Listener.UriOf(url).Port;
}

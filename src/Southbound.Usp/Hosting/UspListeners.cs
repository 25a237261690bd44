namespace Provisioning.Southbound.Usp.Hosting;

/// <summary>The controller's two listeners as configured: agents' WebSocket MTP and the orchestrator's gRPC calls.</summary>
public sealed record UspListeners(Uri WebSocket, Uri Grpc, string WebSocketPath)
{
    public static UspListeners From(UspOptions options) => new(Parse(options.WebSocketUrl), Parse(options.GrpcUrl), options.WebSocketPath);

    private static Uri Parse(string url) => ServiceDefaults.Connections.Listener.UriOf(url);
}

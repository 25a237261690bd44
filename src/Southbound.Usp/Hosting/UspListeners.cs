namespace Provisioning.Southbound.Usp.Hosting;

/// <summary>The controller's two listeners as configured: agents' WebSocket MTP and the orchestrator's gRPC calls.</summary>
public sealed record UspListeners(Uri WebSocket, Uri Grpc, string WebSocketPath)
{
    public static UspListeners From(UspOptions options) => new(Parse(options.WebSocketUrl), Parse(options.GrpcUrl), options.WebSocketPath);

    /// <summary>Kestrel-style wildcards ("http://*:8081", "http://+:8081") are not valid URI hosts.</summary>
    private static Uri Parse(string url) =>
        new(url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));
}

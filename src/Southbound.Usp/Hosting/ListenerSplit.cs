using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Hosting;

/// <summary>
/// The WebSocket MTP only on the WebSocket listener (at its path), gRPC only on the gRPC listener, told apart by the
/// local port the connection arrived on. Not by the Host header: an agent behind a port forward, a load balancer or a
/// DNS name, or one whose client leaves the port out ("Host: 127.0.0.1"), names a port Kestrel does not listen on.
/// Whatever is refused here is logged, so an agent retrying a wrong URL for ever shows in the log.
/// </summary>
internal sealed class ListenerSplit(RequestDelegate next, UspListeners listeners, ILogger<ListenerSplit> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var onGrpcListener = context.Connection.LocalPort == listeners.Grpc.Port;
        var isGrpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        if (onGrpcListener)
            return isGrpc ? next(context) : RefuseAsync(context, "not a gRPC call on the controller's gRPC listener");
        if (isGrpc) return RefuseAsync(context, "gRPC on the agents' WebSocket listener");
        if (!string.Equals(context.Request.Path.Value?.TrimEnd('/'), listeners.WebSocketPath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            return RefuseAsync(context, $"no USP endpoint at {Printable(context.Request.Path.Value)} (it is at {listeners.WebSocketPath})");
        return next(context);
    }

    private Task RefuseAsync(HttpContext context, string reason)
    {
        // The endpoint ID only when it is one: the query is the client's text and must not forge log lines.
        var eid = context.Request.Query["eid"].ToString();
        UspLog.UpgradeRefused(logger, StatusCodes.Status404NotFound, EndpointIdValidator.Validate(eid) is null ? eid : "", reason);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>A path as the log may show it: bounded, control characters replaced.</summary>
    private static string Printable(string? path)
    {
        var text = path ?? "";
        if (text.Length > 100) text = text[..100] + "…";
        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }
}

using System.Net;

namespace Provisioning.Simulators.Usp.Transport;

/// <summary>The controller answered the WebSocket upgrade with an HTTP status (and maybe Retry-After) instead of 101.</summary>
public sealed class UpgradeRefusedException(HttpStatusCode status, TimeSpan? retryAfter, Exception inner)
    : Exception($"WebSocket upgrade refused with {(int)status}", inner)
{
    public HttpStatusCode Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

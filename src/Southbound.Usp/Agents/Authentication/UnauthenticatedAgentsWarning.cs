using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>Says at start that agents are taken on their word (Usp:Auth:AllowUnauthenticatedAgents), once.</summary>
internal sealed class UnauthenticatedAgentsWarning(ILogger<UnauthenticatedAgentsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        UspLog.UnauthenticatedAgentsAllowed(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

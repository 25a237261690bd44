using Microsoft.Extensions.Hosting;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>Enforces the idle session timeout (Cwmp:SessionTimeout) and the unanswered-RPC timeout (Cwmp:UnansweredRpcTimeout).</summary>
internal sealed class SessionSweeper(CpeSessionRegistry sessions, CwmpOptions options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var shortest = Math.Min(options.SessionTimeout.TotalMilliseconds, options.UnansweredRpcTimeout.TotalMilliseconds);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(shortest / 4, 100, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                sessions.CloseIdle(options.SessionTimeout, options.UnansweredRpcTimeout);
        }
        catch (OperationCanceledException)
        {
        }
        sessions.CloseAll("ACS shutting down");
    }
}

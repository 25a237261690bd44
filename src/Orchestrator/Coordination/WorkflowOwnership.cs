using Microsoft.Extensions.Options;
using Npgsql;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// Keeps this instance's workflow leases alive, gives up workflows whose lease it lost, and takes over running
/// workflows nobody holds (their instance died, or this is a restart) — including at start-up, so no accepted
/// workflow stays stuck.
/// </summary>
public sealed partial class WorkflowOwnership(
    WorkflowLeases leases,
    WorkflowRunner runner,
    IOptions<CoordinationOptions> options,
    TimeProvider time,
    ILogger<WorkflowOwnership> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextRenew = time.GetUtcNow() + options.Value.RenewInterval;
        var nextScan = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() >= nextRenew)
                {
                    foreach (var lost in await leases.RenewAsync(runner.Owned, stoppingToken))
                    {
                        LeaseLost(logger, lost);
                        runner.Abandon(lost);
                    }
                    nextRenew = time.GetUtcNow() + options.Value.RenewInterval;
                }
                if (time.GetUtcNow() >= nextScan)
                {
                    var taken = 0;
                    foreach (var orphan in await leases.FindOrphansAsync(1000, stoppingToken))
                    {
                        if (runner.Owns(orphan) || !await leases.TryAcquireAsync(orphan, stoppingToken)) continue;
                        runner.Enqueue(orphan, root: null);
                        taken++;
                    }
                    if (taken > 0) TookOver(logger, taken, leases.Me);
                    nextScan = time.GetUtcNow() + options.Value.ScanInterval;
                }
                var wait = (nextRenew < nextScan ? nextRenew : nextScan) - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                StoreUnavailable(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAllAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            StoreUnavailable(logger, e.Message); // the leases expire on their own
        }
    }

    [LoggerMessage(4101, LogLevel.Information, "Took over {Count} running workflow(s) nobody held; instance {Instance}")]
    private static partial void TookOver(ILogger logger, int count, string instance);

    [LoggerMessage(4102, LogLevel.Warning, "Lost the lease of workflow {WorkflowId}: another instance drives it now")]
    private static partial void LeaseLost(ILogger logger, Guid workflowId);

    [LoggerMessage(4103, LogLevel.Warning, "Workflow ownership: the store is unavailable ({Error})")]
    private static partial void StoreUnavailable(ILogger logger, string error);
}

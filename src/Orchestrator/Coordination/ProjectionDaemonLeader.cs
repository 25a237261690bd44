using Marten;
using Npgsql;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// Runs Marten's async projection daemon in exactly one instance: whoever holds a PostgreSQL advisory lock. The lock
/// lives with the holder's session, so when that instance dies PostgreSQL frees it and a standby takes over.
/// (Marten's own HotCold mode does not work with the packages available here; see README, Scale out.)
/// </summary>
public sealed partial class ProjectionDaemonLeader(IDocumentStore store, NpgsqlDataSource dataSource, ILogger<ProjectionDaemonLeader> logger) : BackgroundService
{
    private const long LockKey = 4242002;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!await TryLockAsync(connection, stoppingToken))
                {
                    await Task.Delay(Retry, stoppingToken);
                    continue;
                }
                Leading(logger);
                using var daemon = await store.BuildProjectionDaemonAsync();
                await daemon.StartAllAsync();
                try
                {
                    // Hold the lock while the session is alive; a broken session means another instance may lead now.
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await Task.Delay(Retry, stoppingToken);
                        await using var ping = new NpgsqlCommand("select 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
                finally
                {
                    await daemon.StopAllAsync();
                    Stepped(logger);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                LockLost(logger, e.Message);
                await Task.Delay(Retry, stoppingToken);
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({LockKey})", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(4201, LogLevel.Information, "This instance now runs the async projections (advisory lock held)")]
    private static partial void Leading(ILogger logger);

    [LoggerMessage(4202, LogLevel.Information, "This instance stopped running the async projections")]
    private static partial void Stepped(ILogger logger);

    [LoggerMessage(4203, LogLevel.Warning, "Projection daemon leadership interrupted ({Error}); retrying")]
    private static partial void LockLost(ILogger logger, string error);
}

using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// Runs Marten's async projection daemon in this instance. Elected: only while holding a PostgreSQL advisory lock,
/// which lives with the holder's session, so when that instance dies PostgreSQL frees it and a standby takes over
/// (Marten's own HotCold mode does not work with the packages available here; see README, Scale out). Solo: always.
/// Owning the running daemon here also lets a rebuild pause it instead of racing it with a second daemon.
/// </summary>
public sealed partial class ProjectionDaemonLeader(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    bool elected,
    ILogger<ProjectionDaemonLeader> logger) : BackgroundService
{
    private const long LockKey = 4242002;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IProjectionDaemon? _running;

    /// <summary>
    /// Runs <paramref name="work"/> with this instance's daemon stopped, then starts it again. False (and nothing
    /// run) when the daemon does not run here.
    /// </summary>
    public async Task<bool> WhilePausedAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_running is not { } daemon) return false;
            await daemon.StopAllAsync();
            try
            {
                await work();
            }
            finally
            {
                await daemon.StartAllAsync();
            }
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (elected && !await TryLockAsync(connection, stoppingToken))
                {
                    await Task.Delay(Retry, stoppingToken);
                    continue;
                }
                Leading(logger, elected ? "advisory lock held" : "solo");
                using var daemon = await store.BuildProjectionDaemonAsync();
                await RunAsync(daemon, connection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database went away, or the daemon failed to start: try again rather than stop the host.
                LockLost(logger, e.Message);
                await Task.Delay(Retry, stoppingToken);
            }
        }
    }

    private async Task RunAsync(IProjectionDaemon daemon, NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        await _gate.WaitAsync(stoppingToken);
        try
        {
            await daemon.StartAllAsync();
            _running = daemon;
        }
        finally
        {
            _gate.Release();
        }
        try
        {
            // Elected: hold the lock while the session is alive; a broken session means another instance may lead now.
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Retry, stoppingToken);
                if (!elected) continue;
                await using var ping = new NpgsqlCommand("select 1", connection);
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
        finally
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                _running = null;
                await daemon.StopAllAsync();
            }
            finally
            {
                _gate.Release();
            }
            Stepped(logger);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({LockKey})", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(4201, LogLevel.Information, "This instance now runs the async projections ({Mode})")]
    private static partial void Leading(ILogger logger, string mode);

    [LoggerMessage(4202, LogLevel.Information, "This instance stopped running the async projections")]
    private static partial void Stepped(ILogger logger);

    [LoggerMessage(4203, LogLevel.Warning, "Projection daemon leadership interrupted ({Error}); retrying")]
    private static partial void LockLost(ILogger logger, string error);
}

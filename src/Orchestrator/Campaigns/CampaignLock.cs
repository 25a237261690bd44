using Npgsql;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// One PostgreSQL advisory lock over every instance's campaign decisions: the runner holds it for a tick, a pause,
/// resume or abort for its change. So a paused campaign starts no workflow that a tick begun before the pause decided
/// on, and two instances never advance the same campaign at once.
/// </summary>
public sealed class CampaignLock : IAsyncDisposable
{
    private const long LockId = 0x43504543414d50; // "CPECAMP"
    private readonly NpgsqlConnection _connection;

    private CampaignLock(NpgsqlConnection connection) => _connection = connection;

    /// <summary>The lock, or null when another holds it (the runner skips a tick rather than queue).</summary>
    public static Task<CampaignLock?> TryTakeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        TakeAsync(dataSource, $"select pg_try_advisory_lock({LockId})", cancellationToken);

    /// <summary>Waits for the lock (a change waits for the tick in progress to end).</summary>
    public static async Task<CampaignLock> WaitAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        (await TakeAsync(dataSource, $"select pg_advisory_lock({LockId})", cancellationToken))!;

    // pg_advisory_lock answers void (DBNull) once it holds the lock, pg_try_advisory_lock true or false.
    private static async Task<CampaignLock?> TakeAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var take = new NpgsqlCommand(sql, connection);
            if (await take.ExecuteScalarAsync(cancellationToken) is not false) return new CampaignLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockId})", _connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
        finally
        {
            await _connection.DisposeAsync(); // closing the session releases it in any case
        }
    }
}

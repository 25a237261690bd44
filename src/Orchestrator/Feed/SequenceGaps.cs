using Npgsql;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Tells a gap in the global event sequence that will never fill (its transaction rolled back) from one whose
/// transaction is still running. The number in the gap was drawn before the later events we already see were
/// committed, so its transaction, if it has written its events, is one of those holding a write lock on the events
/// table right now: once all of those have ended, a gap that is still there is permanent. Only transactions that
/// write events are waited for, so an unrelated long transaction (a report, the projection daemon) does not hold
/// live followers back.
/// </summary>
public sealed class SequenceGaps([FromKeyedServices(EventFeed.ConnectionPool)] NpgsqlDataSource dataSource)
{
    private const string Writers = """
        select virtualtransaction from pg_locks
        where locktype = 'relation' and relation = 'provisioning.mt_events'::regclass and mode = 'RowExclusiveLock' and granted
        """;

    public async Task WaitForInFlightTransactionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var writing = await WritersAsync(connection, cancellationToken);
        var delay = 1;
        while (writing.Count > 0)
        {
            await Task.Delay(delay, cancellationToken);
            delay = Math.Min(delay * 2, 50);
            writing.IntersectWith(await WritersAsync(connection, cancellationToken));
        }
    }

    /// <summary>The same wait with blocking I/O on a connection the caller holds, for the live feed's own thread.</summary>
    public static void WaitForInFlightTransactions(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var writing = ReadWriters(connection);
        var delay = 1;
        while (writing.Count > 0)
        {
            cancellationToken.WaitHandle.WaitOne(delay);
            cancellationToken.ThrowIfCancellationRequested();
            delay = Math.Min(delay * 2, 50);
            writing.IntersectWith(ReadWriters(connection));
        }
    }

    private static HashSet<string> ReadWriters(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(Writers, connection);
        var writers = new HashSet<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) writers.Add(reader.GetString(0));
        return writers;
    }

    private static async Task<HashSet<string>> WritersAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Writers, connection);
        var writers = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) writers.Add(reader.GetString(0));
        return writers;
    }
}

using Npgsql;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Tells a gap in the global event sequence that will never fill (its transaction rolled back) from one whose
/// transaction is still running. The number in the gap was drawn before the later events we already see were
/// committed, so its transaction is among those in progress now: once all of them have finished, a gap that is
/// still there is permanent. Exact, and without the fixed wait a timeout-based reader would need.
/// </summary>
public sealed class SequenceGaps(NpgsqlDataSource dataSource)
{
    public async Task WaitForInFlightTransactionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        string snapshot;
        await using (var command = new NpgsqlCommand("select pg_current_snapshot()::text", connection))
        {
            snapshot = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        await using var pending = new NpgsqlCommand(
            "select count(*) from pg_snapshot_xip($1::pg_snapshot) as x where pg_xact_status(x) = 'in progress'", connection);
        pending.Parameters.AddWithValue(snapshot);
        var delay = 1;
        while ((long)(await pending.ExecuteScalarAsync(cancellationToken))! > 0)
        {
            await Task.Delay(delay, cancellationToken);
            delay = Math.Min(delay * 2, 50);
        }
    }
}

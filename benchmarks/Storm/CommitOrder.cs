using Npgsql;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// Why a follower waits at sequence gaps, from the store itself (track_commit_timestamp): per storm event, how long
/// its transaction stayed open after the event's timestamp, and how long after its commit every lower sequence number
/// had committed too, which is the earliest an in-order, gap-free feed can deliver it; and, per event the follower
/// received, its lag from that commit and from that earliest delivery (the event's timestamp is its transaction's
/// start, so the follower's delivery_lag also holds the time the storm's transaction stayed open).
/// </summary>
public static class CommitOrder
{
    private const string Query = """
        with e as (
            select seq_id, timestamp, pg_xact_commit_timestamp(xmin) as committed
            from provisioning.mt_events where seq_id > $1)
        select extract(epoch from committed - timestamp) * 1000,
               extract(epoch from max(committed) over (order by seq_id rows unbounded preceding) - committed) * 1000,
               seq_id, committed, max(committed) over (order by seq_id rows unbounded preceding)
        from e where committed is not null
        """;

    /// <summary>Null, said once, where the server does not track commit timestamps (a given server, not the private one).</summary>
    public static async Task<Dictionary<string, object?>?> MeasureAsync(string connectionString, long afterPosition,
        IReadOnlyDictionary<string, List<(long Position, DateTimeOffset Received)>> receiptsByFollower)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(Query, connection) { Parameters = { new() { Value = afterPosition } } };
            var open = new List<double>();
            var inOrder = new List<double>();
            var commits = new Dictionary<long, (DateTimeOffset Committed, DateTimeOffset InOrder)>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    open.Add((double)reader.GetDecimal(0));
                    inOrder.Add((double)reader.GetDecimal(1));
                    commits[reader.GetInt64(2)] = (reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4));
                }
            }
            Dictionary<string, object?> result = new() { ["timestamp->commit"] = Figures(open), ["commit->in_order"] = Figures(inOrder) };
            foreach (var (follower, receipts) in receiptsByFollower)
            {
                var fromCommit = new List<double>();
                var fromInOrder = new List<double>();
                foreach (var (position, received) in receipts)
                {
                    if (!commits.TryGetValue(position, out var c)) continue;
                    fromCommit.Add((received - c.Committed).TotalMilliseconds);
                    fromInOrder.Add((received - c.InOrder).TotalMilliseconds);
                }
                result[$"commit->receive{follower}"] = Figures(fromCommit);
                result[$"in_order->receive{follower}"] = Figures(fromInOrder);
            }
            return result;
            Dictionary<string, object?> Figures(List<double> values)
            {
                var sorted = Percentiles.Sorted(values);
                return new() { ["p50"] = Math.Round(Percentiles.Of(sorted, 50), 1), ["p99"] = Math.Round(Percentiles.Of(sorted, 99), 1), ["count"] = sorted.Length };
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            Console.WriteLine($"no commit order figures: {e.MessageText}");
            return null;
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// The "seen at" of routes that did not otherwise change, written together: a periodic Inform storm would otherwise
/// rewrite one route per device per contact (a transaction each). Per device the latest wins; every
/// <see cref="Interval"/> one statement writes them all. A route whose adapter address or Connection Request URL
/// changed is not here: it is written at once (other instances route by it). A crash loses at most one interval of
/// seen-at, which only ages a route (past <see cref="DeviceRoute.Freshness"/> it is not trusted anyway).
/// </summary>
public sealed partial class RouteSeenAtBatch(NpgsqlDataSource dataSource, DeviceContactCache cache, ILogger<RouteSeenAtBatch> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Only SeenAt moves, only forward, and only while the route still names the adapter it was seen through (an
    /// instance that moved the device meanwhile keeps its route). It touches no other field, so it does not NOTIFY.
    /// </summary>
    private const string Update = """
        UPDATE provisioning.mt_doc_deviceroute r
        SET data = jsonb_set(r.data, '{SeenAt}', to_jsonb(v.seen)), mt_last_modified = now()
        FROM unnest(@ids, @addresses, @seen) AS v(id, address, seen)
        WHERE r.id = v.id AND r.data->>'AdapterAddress' = v.address AND (r.data->>'SeenAt')::timestamptz < v.seen::timestamptz
        """;

    private ConcurrentDictionary<string, DeviceRoute> _pending = new(StringComparer.Ordinal);

    /// <summary>Queues the route's new seen-at (its address and URL are the recorded ones).</summary>
    public void Seen(DeviceRoute route)
    {
        _pending[route.Id] = route;
        cache.Seen(route);
    }

    public int Pending => _pending.Count;

    /// <summary>Writes what is queued; the number of routes updated.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty) return 0;
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, DeviceRoute>(StringComparer.Ordinal));
        var routes = batch.Values.ToList();
        await using var command = dataSource.CreateCommand(Update);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = routes.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("addresses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = routes.Select(r => r.AdapterAddress).ToArray() });
        // The text the document serialiser writes for a DateTimeOffset, so the document reads back as Marten wrote it.
        command.Parameters.Add(new NpgsqlParameter("seen", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = routes.Select(r => JsonSerializer.Serialize(r.SeenAt).Trim('"')).ToArray() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushQuietlyAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushQuietlyAsync(cancellationToken); // what the last interval saw
    }

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Lost, not retried: the next contact of each device queues a newer one.
            FlushFailed(logger, e.Message);
        }
    }

    [LoggerMessage(4302, LogLevel.Warning, "Writing the seen-at of routes failed ({Error}); the devices' next contacts record it")]
    private static partial void FlushFailed(ILogger logger, string error);
}

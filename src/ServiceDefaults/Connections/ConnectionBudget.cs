using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Provisioning.ServiceDefaults.Connections;

/// <summary>
/// How many TCP connections one listener may hold at once. When the budget is spent, the oldest connection that has
/// not sent a single request yet is closed to make room (a flood of silent connections then only displaces itself,
/// while a device that speaks at once gets in); when every held connection has spoken, the newcomer is closed as soon
/// as it is accepted. Either way the listener holds a bounded number of file descriptors and never starves another.
/// </summary>
public sealed class ConnectionBudget
{
    private static readonly Meter Meter = new("Provisioning.Connections");
    private static readonly Counter<long> Shed = Meter.CreateCounter<long>("connections.shed", description: "Connections closed because their listener's budget was spent");
    private static readonly UpDownCounter<long> Open = Meter.CreateUpDownCounter<long>("connections.open", description: "Connections held per listener");
    private static readonly object SpokenKey = new();
    private readonly ConcurrentQueue<Held> _silent = new();
    private int _open;

    public ConnectionBudget(string listener, int limit)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, $"the connection limit of {listener} must be at least 1");
        Listener = listener;
        Limit = limit;
    }

    public string Listener { get; }
    public int Limit { get; }
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Kestrel connection middleware: admits a connection within the budget (making room if it can), closes it otherwise.</summary>
    public ConnectionDelegate Admit(ConnectionDelegate next) => async connection =>
    {
        if (Interlocked.Increment(ref _open) > Limit && !EvictOldestSilent())
        {
            Interlocked.Decrement(ref _open);
            Count(Shed, "refused");
            connection.Abort(new ConnectionAbortedException($"{Listener}: connection budget of {Limit} spent"));
            return;
        }
        var held = new Held(connection);
        connection.Items[SpokenKey] = held;
        Prune();
        _silent.Enqueue(held);
        Open.Add(1, new KeyValuePair<string, object?>("listener", Listener));
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            held.Closed = true;
            Interlocked.Decrement(ref _open);
            Open.Add(-1, new KeyValuePair<string, object?>("listener", Listener));
        }
    };

    /// <summary>Marks the connection of an HTTP request as having spoken (HTTP middleware; cheap: one feature lookup).</summary>
    public static void Spoke(HttpContext context)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(SpokenKey, out var value) == true && value is Held held)
            held.Spoken = true;
    }

    private bool EvictOldestSilent()
    {
        while (_silent.TryDequeue(out var oldest))
        {
            if (oldest.Closed || oldest.Spoken) continue;
            oldest.Closed = true;
            Count(Shed, "evicted_silent");
            oldest.Connection.Abort(new ConnectionAbortedException($"{Listener}: a silent connection made room for a new one"));
            return true; // its slot is freed by its own finally; the newcomer is counted already
        }
        return false;
    }

    /// <summary>Drops entries of connections that spoke or closed, so the queue stays near the number of silent ones.</summary>
    private void Prune()
    {
        while (_silent.TryPeek(out var head) && (head.Closed || head.Spoken)) _silent.TryDequeue(out _);
        // A long-lived silent connection at the head would stop the trimming above: sweep now and then.
        if (_silent.Count <= 2 * Limit + 64) return;
        for (var n = _silent.Count; n > 0 && _silent.TryDequeue(out var entry); n--)
            if (!entry.Closed && !entry.Spoken) _silent.Enqueue(entry);
    }

    private void Count(Counter<long> counter, string outcome) => counter.Add(1,
        new KeyValuePair<string, object?>("listener", Listener), new KeyValuePair<string, object?>("outcome", outcome));

    private sealed class Held(ConnectionContext connection)
    {
        public ConnectionContext Connection { get; } = connection;
        public volatile bool Spoken;
        public volatile bool Closed;
    }
}

using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using SessionOptions = Marten.Services.SessionOptions;
using Npgsql;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Reads the global event log in sequence order from a position, optionally following it live, without gaps or
/// duplicates: events are delivered only up to the first gap whose transaction may still commit. A live follower
/// reads history from the store until it reaches the <see cref="LiveFeed"/>, then takes the shared stream, and
/// reads from the store again whenever it falls behind it.
/// </summary>
public sealed class EventFeed : IDisposable
{
    private readonly IDocumentStore _store;
    private readonly NpgsqlDataSource _connections;
    private readonly FeedSignal _signal;
    private readonly SequenceGaps _gaps;
    private readonly TimeProvider _clock;
    private readonly int _followerBuffer;
    // Followers woken by one commit all read at once: they queue here, not for a pooled connection (whose wait times out).
    private readonly SemaphoreSlim _reads;

    public EventFeed(
        IDocumentStore store,
        [FromKeyedServices(ConnectionPool)] NpgsqlDataSource connections,
        FeedSignal signal,
        SequenceGaps gaps,
        Microsoft.Extensions.Options.IOptions<FeedOptions> options,
        TimeProvider clock,
        ILogger<LiveFeed> logger)
    {
        (_store, _connections, _signal, _gaps, _clock) = (store, connections, signal, gaps, clock);
        _reads = new(options.Value.MaxConcurrentReads, options.Value.MaxConcurrentReads);
        _followerBuffer = options.Value.FollowerBuffer;
        Live = new LiveFeed(connections, store.Options.Serializer(), signal, _followerBuffer, clock, logger);
    }

    /// <summary>The key of the feed's own connection pool.</summary>
    public const string ConnectionPool = "feed";

    /// <summary>The shared reader of the live tail.</summary>
    public LiveFeed Live { get; }

    internal const int PageSize = 500;
    internal static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    /// <summary>
    /// A transaction draws its sequence number a moment before it writes (and only writing gives it a transaction
    /// id the snapshot can show), so a gap is also given this long before it is stepped over.
    /// </summary>
    internal static readonly TimeSpan MinimumGapAge = TimeSpan.FromMilliseconds(200);

    /// <summary>Events at most in one batch of <see cref="ReadBatchesAsync"/> from the live feed.</summary>
    private const int MaxBatch = 128;

    public async IAsyncEnumerable<IEvent> ReadAsync(FeedFilter filter, long afterPosition, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ReadBatchesAsync(filter, afterPosition, follow, cancellationToken))
            foreach (var e in batch) yield return e;
    }

    /// <summary>
    /// The same events as <see cref="ReadAsync"/>, in the batches they became ready in (a page, or what a live
    /// follower's buffer held): a caller can write a batch and flush once. A batch is never empty.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<IEvent>> ReadBatchesAsync(FeedFilter filter, long afterPosition, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!follow)
        {
            await foreach (var page in ReadStoredAsync(filter, afterPosition, long.MaxValue, cancellationToken))
                if (Matching(page, filter, afterPosition) is { Count: > 0 } batch) yield return batch.ConvertAll(i => i.Event);
            yield break;
        }

        var position = afterPosition;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Far behind the live feed: history first, without a place in the shared stream it would only overflow.
            if (Live.Head - position > _followerBuffer)
            {
                await foreach (var page in ReadStoredAsync(filter, position, Live.Head, cancellationToken))
                {
                    var batch = Matching(page, filter, position);
                    position = page[^1].Event.Sequence;
                    if (batch.Count == 0) continue;
                    yield return batch.ConvertAll(i => i.Event);
                    RecordLag(batch, live: false);
                }
            }

            using var follower = await Live.JoinAsync(filter, cancellationToken);
            // What came before the follower's place: read from the store, up to it and no further.
            if (position < follower.JoinedAt)
            {
                await foreach (var page in ReadStoredAsync(filter, position, follower.JoinedAt, cancellationToken))
                {
                    var batch = Matching(page, filter, position);
                    position = page[^1].Event.Sequence;
                    if (batch.Count == 0) continue;
                    yield return batch.ConvertAll(i => i.Event);
                    RecordLag(batch, live: false);
                }
                position = Math.Max(position, follower.JoinedAt);
            }
            // The live feed has filtered these already; a position it had not reached when we resumed is skipped here.
            await foreach (var buffered in follower.ReadBatchesAsync(MaxBatch, cancellationToken))
            {
                var batch = Matching(buffered, FeedFilter.All, position);
                if (batch.Count == 0) continue;
                position = batch[^1].Event.Sequence;
                yield return batch.ConvertAll(i => i.Event);
                RecordLag(batch, live: true);
            }
            // The buffer overflowed: the follower has every event up to the last buffered one, the rest is in the store.
        }
    }

    private static List<FeedItem> Matching(IReadOnlyList<FeedItem> items, FeedFilter filter, long after) =>
        items.Where(i => i.Event.Sequence > after && filter.Matches(i.Event)).ToList();

    private void RecordLag(List<FeedItem> batch, bool live)
    {
        foreach (var item in batch) RecordLag(item, live);
    }

    /// <summary>Resumed once the follower's write of it has completed; history older than the signal's memory is not live.</summary>
    private void RecordLag(FeedItem item, bool live)
    {
        if (_signal.SignalledAfter(item.Event.Timestamp) is { } notified)
            FeedLag.Record(item.Event.Timestamp, notified, item.PreviousRead, item.Read, _clock.GetUtcNow(), live);
    }

    /// <summary>
    /// The events after <paramref name="afterPosition"/> up to <paramref name="upTo"/> (or the head of the log), read
    /// page by page from the store: every one, matching or not (one workflow's only, for a workflow filter); a page is never empty.
    /// </summary>
    private async IAsyncEnumerable<IReadOnlyList<FeedItem>> ReadStoredAsync(FeedFilter filter, long afterPosition, long upTo,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = afterPosition;
        (long Position, long Since) gap = (-1, 0);
        DateTimeOffset? previousRead = null, readStarted = null;
        while (!cancellationToken.IsCancellationRequested && position < upTo)
        {
            var pulse = _signal.NextPulse();
            (previousRead, readStarted) = (readStarted, _clock.GetUtcNow());
            var page = await ReadPageAsync(filter, position, upTo, cancellationToken);
            var read = _clock.GetUtcNow();
            var (ready, gapAhead) = filter.WorkflowId is null ? ContiguousPrefix(page, position) : (page, false);
            if (gapAhead && ready.Count == 0)
            {
                // The next event's number is missing. Its transaction's commit pulses, so while the gap is young it is
                // only read again at each commit (in a storm a gap fills within milliseconds, while waiting for every
                // writer in flight took as long as the slowest of them); one that outlives MinimumGapAge is waited
                // out: once every transaction that could still fill it has ended it is read a last time and, if still
                // missing, stepped over.
                if (gap.Position != position) gap = (position, System.Diagnostics.Stopwatch.GetTimestamp());
                var age = System.Diagnostics.Stopwatch.GetElapsedTime(gap.Since);
                if (age < MinimumGapAge)
                {
                    await Task.WhenAny(pulse, Task.Delay(MinimumGapAge - age, cancellationToken));
                    continue;
                }
                var horizon = page[^1].Sequence; // gaps below an event already committed are decided by the wait
                await _gaps.WaitForInFlightTransactionsAsync(cancellationToken);
                (previousRead, readStarted) = (readStarted, _clock.GetUtcNow());
                var again = await ReadPageAsync(filter, position, upTo, cancellationToken);
                read = _clock.GetUtcNow();
                ready = again.Where(e => e.Sequence <= horizon).ToList();
                gapAhead = false;
            }

            if (ready.Count > 0)
            {
                position = ready[^1].Sequence;
                var readAt = read;
                var before = previousRead;
                yield return ready.Select(e => new FeedItem(e, before, readAt)).ToList();
            }
            if (ready.Count == PageSize || gapAhead) continue;
            yield break; // at the head (or at upTo)
        }
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageAsync(FeedFilter filter, long position, long upTo, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            return await ReadPageCoreAsync(filter, position, upTo, cancellationToken);
        }
        finally
        {
            _reads.Release();
        }
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageCoreAsync(FeedFilter filter, long position, long upTo, CancellationToken cancellationToken)
    {
        // One statement, so no transaction around it: an open one would cost the page a ROLLBACK round trip (and a
        // wait for its completion in a thread pool busy with the storm) before the follower sees the events.
        await using var connection = await _connections.OpenConnectionAsync(cancellationToken);
        await using var session = _store.QuerySession(SessionOptions.ForConnection(connection));
        var query = session.Events.QueryAllRawEvents().Where(e => e.Sequence > position);
        if (upTo < long.MaxValue) query = query.Where(e => e.Sequence <= upTo);
        if (filter.WorkflowId is { } id) query = query.Where(e => e.StreamId == id);
        return await query.OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(cancellationToken);
    }

    /// <summary>The events that follow <paramref name="position"/> without a missing sequence number in between.</summary>
    internal static (IReadOnlyList<IEvent> Ready, bool GapAhead) ContiguousPrefix(IReadOnlyList<IEvent> page, long position)
    {
        var expected = position + 1;
        for (var i = 0; i < page.Count; i++)
        {
            if (page[i].Sequence != expected) return (page.Take(i).ToList(), true);
            expected++;
        }
        return (page, false);
    }

    public void Dispose()
    {
        Live.Dispose();
        _reads.Dispose();
    }
}

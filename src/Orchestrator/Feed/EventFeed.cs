using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using SessionOptions = Marten.Services.SessionOptions;
using Npgsql;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Reads the global event log in sequence order from a position, optionally following it live, without gaps or
/// duplicates: events are delivered only up to the first gap whose transaction may still commit.
/// </summary>
public sealed class EventFeed(
    IDocumentStore store,
    [FromKeyedServices(EventFeed.ConnectionPool)] NpgsqlDataSource connections,
    FeedSignal signal,
    SequenceGaps gaps,
    Microsoft.Extensions.Options.IOptions<FeedOptions> options,
    TimeProvider clock)
{
    // Followers woken by one commit all read at once: they queue here, not for a pooled connection (whose wait times out).
    private readonly SemaphoreSlim _reads = new(options.Value.MaxConcurrentReads, options.Value.MaxConcurrentReads);

    /// <summary>The key of the feed's own connection pool.</summary>
    public const string ConnectionPool = "feed";

    private const int PageSize = 500;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    /// <summary>
    /// A transaction draws its sequence number a moment before it writes (and only writing gives it a transaction
    /// id the snapshot can show), so a gap is also given this long before it is stepped over.
    /// </summary>
    private static readonly TimeSpan MinimumGapAge = TimeSpan.FromMilliseconds(200);

    public async IAsyncEnumerable<IEvent> ReadAsync(FeedFilter filter, long afterPosition, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = afterPosition;
        (long Position, long Since) gap = (-1, 0);
        DateTimeOffset? previousRead = null, readStarted = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var pulse = signal.NextPulse();
            (previousRead, readStarted) = (readStarted, clock.GetUtcNow());
            var page = await ReadPageAsync(filter, position, cancellationToken);
            var read = clock.GetUtcNow();
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
                await gaps.WaitForInFlightTransactionsAsync(cancellationToken);
                (previousRead, readStarted) = (readStarted, clock.GetUtcNow());
                var again = await ReadPageAsync(filter, position, cancellationToken);
                read = clock.GetUtcNow();
                ready = again.Where(e => e.Sequence <= horizon).ToList();
                gapAhead = false;
            }

            foreach (var e in ready)
            {
                position = e.Sequence;
                if (!filter.Matches(e)) continue;
                yield return e;
                // Resumed once the follower's write of it has completed; history older than the signal's memory is not live.
                if (follow && signal.SignalledAfter(e.Timestamp) is { } notified) FeedLag.Record(e.Timestamp, notified, previousRead, read, clock.GetUtcNow());
            }

            if (ready.Count == PageSize || gapAhead) continue;
            if (!follow) yield break;
            await Task.WhenAny(pulse, Task.Delay(Poll, cancellationToken));
        }
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageAsync(FeedFilter filter, long position, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            return await ReadPageCoreAsync(filter, position, cancellationToken);
        }
        finally
        {
            _reads.Release();
        }
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageCoreAsync(FeedFilter filter, long position, CancellationToken cancellationToken)
    {
        // One statement, so no transaction around it: an open one would cost the page a ROLLBACK round trip (and a
        // wait for its completion in a thread pool busy with the storm) before the follower sees the events.
        await using var connection = await connections.OpenConnectionAsync(cancellationToken);
        await using var session = store.QuerySession(SessionOptions.ForConnection(connection));
        var query = session.Events.QueryAllRawEvents().Where(e => e.Sequence > position);
        if (filter.WorkflowId is { } id) query = query.Where(e => e.StreamId == id);
        return await query.OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(cancellationToken);
    }

    /// <summary>The events that follow <paramref name="position"/> without a missing sequence number in between.</summary>
    private static (IReadOnlyList<IEvent> Ready, bool GapAhead) ContiguousPrefix(IReadOnlyList<IEvent> page, long position)
    {
        var expected = position + 1;
        for (var i = 0; i < page.Count; i++)
        {
            if (page[i].Sequence != expected) return (page.Take(i).ToList(), true);
            expected++;
        }
        return (page, false);
    }
}

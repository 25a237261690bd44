using System.Threading.Channels;
using JasperFx.Events;

namespace Provisioning.Orchestrator.Feed;

/// <summary>An event as a page read found it: when that read and the one before it began, for <see cref="FeedLag"/>.</summary>
public readonly record struct FeedItem(IEvent Event, DateTimeOffset? PreviousRead, DateTimeOffset Read);

/// <summary>
/// One follower's place in the <see cref="LiveFeed"/>: the matching events after <see cref="JoinedAt"/>, in order, in
/// a bounded buffer. When the buffer is full the live feed does not wait: it ends this place (the reader sees the end
/// after the events already buffered) and the follower catches up from the store before joining again.
/// </summary>
public sealed class LiveFollower : IDisposable
{
    private readonly Channel<FeedItem> _events;
    private readonly LiveFeed _feed;
    private int _dropped;

    internal LiveFollower(LiveFeed feed, FeedFilter filter, long joinedAt, int capacity)
    {
        _feed = feed;
        Filter = filter;
        JoinedAt = joinedAt;
        _events = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
            // The follower's write runs on the live feed's thread, not after a trip through a thread pool busy with the storm.
            // (It runs there only until its next wait: a write the transport cannot take at once continues elsewhere.)
            AllowSynchronousContinuations = true,
        });
    }

    public FeedFilter Filter { get; }

    /// <summary>The live feed's position when this follower joined: every later matching event comes through here.</summary>
    public long JoinedAt { get; }

    /// <summary>True once the buffer overflowed: the events after the buffered ones must be read from the store.</summary>
    public bool FellBehind => Volatile.Read(ref _dropped) == 1;

    /// <summary>What the buffer holds, up to <paramref name="max"/> at a time, until the follower falls behind.</summary>
    public async IAsyncEnumerable<IReadOnlyList<FeedItem>> ReadBatchesAsync(int max, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken))
        {
            var batch = new List<FeedItem>();
            while (batch.Count < max && _events.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count > 0) yield return batch;
        }
    }

    /// <summary>Offered by the live feed's thread only; false once the follower has fallen behind.</summary>
    internal bool Offer(FeedItem item)
    {
        if (_events.Writer.TryWrite(item)) return true;
        if (Interlocked.Exchange(ref _dropped, 1) == 0) _events.Writer.TryComplete();
        return false;
    }

    public void Dispose()
    {
        _feed.Leave(this);
    }
}

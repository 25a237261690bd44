using JasperFx.Events;
using Marten;
using Npgsql;
using Provisioning.Orchestrator.Coordination;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// The one reader of the event log's live tail for every live follower of this instance, on a thread of its own with
/// blocking I/O on a connection of its own that LISTENs for commits: in a storm the thread pool's queue is seconds
/// long, and a page read per follower made of async completions waited in it several times over. Each page is read,
/// and each gap decided (as <see cref="EventFeed"/> decides them), once for all followers; the matching events go
/// into each follower's bounded buffer. A follower whose buffer is full is let go (<see cref="LiveFollower.FellBehind"/>)
/// and catches up from the store on its own, so a slow one never holds the others back.
/// </summary>
public sealed partial class LiveFeed : IDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _connections;
    private readonly FeedSignal _signal;
    private readonly EventRows _rows;
    private readonly int _capacity;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _inPlace = new();
    private LiveFollower[] _followers = [];
    private long _head;
    // Bumped each time the head is set afresh from the store (the first follower after none): a page read before it is stale.
    private long _epoch;
    private bool _primed;
    private Thread? _thread;
    private bool _notified;

    internal LiveFeed(NpgsqlDataSource connections, ISerializer serializer, FeedSignal signal, int capacity, TimeProvider clock, ILogger logger)
    {
        _connections = connections;
        _signal = signal;
        _rows = new EventRows(serializer);
        _capacity = capacity;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Followers holding a place in the shared stream now.</summary>
    public int Followers => Volatile.Read(ref _followers).Length;

    /// <summary>Every event up to here has been handed to the followers that were in place (0 while none is).</summary>
    public long Head
    {
        get { lock (_gate) return _primed ? _head : 0; }
    }

    /// <summary>
    /// A place in the shared stream from its head on. With no follower in place the head is not kept, so the first one
    /// sets it to the last committed event: below it the follower's own read from the store decides the gaps.
    /// </summary>
    public async Task<LiveFollower> JoinAsync(FeedFilter filter, CancellationToken cancellationToken)
    {
        Start();
        lock (_gate)
        {
            if (_primed) return Add(filter);
        }
        long last;
        await using (var connection = await _connections.OpenConnectionAsync(cancellationToken))
        await using (var command = new NpgsqlCommand("select coalesce(max(seq_id), 0) from provisioning.mt_events", connection))
            last = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        lock (_gate)
        {
            if (!_primed)
            {
                (_head, _primed, _epoch) = (last, true, _epoch + 1);
                _inPlace.Set();
            }
            return Add(filter);
        }
    }

    private LiveFollower Add(FeedFilter filter)
    {
        var follower = new LiveFollower(this, filter, _head, _capacity);
        _followers = [.. _followers, follower];
        return follower;
    }

    internal void Leave(LiveFollower follower)
    {
        lock (_gate)
        {
            if (Array.IndexOf(_followers, follower) < 0) return;
            _followers = [.. _followers.Where(f => f != follower)];
            if (_followers.Length > 0) return;
            _primed = false; // nobody to read for: the thread lets its connection go
            _inPlace.Reset();
        }
    }

    private void Start()
    {
        if (Volatile.Read(ref _thread) is not null) return;
        lock (_gate)
        {
            if (_thread is not null) return;
            _thread = new Thread(Run) { IsBackground = true, Name = "cpe-live-feed" };
            _thread.Start();
        }
    }

    private void Run()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!WaitForFollowers(stopping)) continue;
                using var connection = _connections.OpenConnection();
                connection.Notification += (_, _) =>
                {
                    _notified = true;
                    _signal.Pulse();
                };
                using (var listen = new NpgsqlCommand($"LISTEN {CoordinationSchema.EventsChannel}", connection)) listen.ExecuteNonQuery();
                Follow(connection, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                ReadFailed(_logger, e.Message);
                stopping.WaitHandle.WaitOne(RetryAfterFailure);
            }
        }
    }

    private bool WaitForFollowers(CancellationToken stopping)
    {
        _inPlace.Wait(stopping);
        lock (_gate) return _primed;
    }

    /// <summary>Reads and hands out pages while any follower is in place (the head of one epoch).</summary>
    private void Follow(NpgsqlConnection connection, CancellationToken stopping)
    {
        (long Position, long Since) gap = (-1, 0);
        DateTimeOffset? previousRead = null, readStarted = null;
        while (!stopping.IsCancellationRequested)
        {
            long epoch, position;
            lock (_gate)
            {
                if (!_primed) return;
                (epoch, position) = (_epoch, _head);
            }
            _notified = false; // a commit signalled from here on may be past this read's snapshot
            (previousRead, readStarted) = (readStarted, _clock.GetUtcNow());
            var page = _rows.Read(connection, position, EventFeed.PageSize, stopping);
            var read = _clock.GetUtcNow();
            var (ready, gapAhead) = EventFeed.ContiguousPrefix(page, position);
            if (gapAhead && ready.Count == 0)
            {
                // As EventFeed: a young gap is read again at each commit, an old one is waited out and stepped over.
                if (gap.Position != position) gap = (position, System.Diagnostics.Stopwatch.GetTimestamp());
                var age = System.Diagnostics.Stopwatch.GetElapsedTime(gap.Since);
                if (age < EventFeed.MinimumGapAge)
                {
                    WaitForCommit(connection, EventFeed.MinimumGapAge - age);
                    continue;
                }
                var horizon = page[^1].Sequence;
                SequenceGaps.WaitForInFlightTransactions(connection, stopping);
                (previousRead, readStarted) = (readStarted, _clock.GetUtcNow());
                var again = _rows.Read(connection, position, EventFeed.PageSize, stopping);
                read = _clock.GetUtcNow();
                ready = again.Where(e => e.Sequence <= horizon).ToList();
                gapAhead = false;
            }
            if (ready.Count > 0) HandOut(epoch, ready, previousRead, read);
            if (ready.Count == EventFeed.PageSize || gapAhead) continue;
            WaitForCommit(connection, EventFeed.Poll);
        }
    }

    private void WaitForCommit(NpgsqlConnection connection, TimeSpan atMost)
    {
        if (_notified) return;
        connection.Wait(atMost);
    }

    private void HandOut(long epoch, IReadOnlyList<IEvent> ready, DateTimeOffset? previousRead, DateTimeOffset read)
    {
        LiveFollower[] followers;
        lock (_gate)
        {
            if (epoch != _epoch || !_primed) return; // everyone left while the page was read: the next follower starts afresh
            _head = ready[^1].Sequence; // a follower joining from now on reads these from the store
            followers = _followers;
        }
        List<LiveFollower>? behind = null;
        foreach (var e in ready)
        {
            if (e.Data is EventRows.NotAWorkflowEvent) continue;
            var item = new FeedItem(e, previousRead, read);
            foreach (var follower in followers)
            {
                if (e.Sequence <= follower.JoinedAt || follower.FellBehind || !follower.Filter.Matches(e)) continue;
                if (!follower.Offer(item)) (behind ??= []).Add(follower);
            }
        }
        if (behind is null) return;
        foreach (var follower in behind)
        {
            FellBehind(_logger, _capacity);
            Leave(follower);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        if (_thread is { } thread && !thread.Join(TimeSpan.FromSeconds(5))) return; // still in a read: it ends with the process
        _stopping.Dispose();
        _inPlace.Dispose();
    }

    [LoggerMessage(4402, LogLevel.Warning, "A live follower did not take {Buffered} events in time (Feed:FollowerBuffer); it catches up from the store and joins the live feed again")]
    private static partial void FellBehind(ILogger logger, int buffered);

    [LoggerMessage(4401, LogLevel.Warning, "The live event feed could not read the store ({Error}); live followers wait until it can")]
    private static partial void ReadFailed(ILogger logger, string error);
}

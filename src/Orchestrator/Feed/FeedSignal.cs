using Marten;
using Marten.Services;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Wakes live event followers as soon as this process commits anything, so delivery does not wait for a poll.
/// (Commits by other instances are found by the followers' poll.)
/// </summary>
public sealed class FeedSignal(TimeProvider clock) : DocumentSessionListenerBase
{
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PulseTimes _times = new();

    /// <summary>A task that completes at the next commit; take it before reading so no commit is missed.</summary>
    public Task NextPulse() => Volatile.Read(ref _pulse).Task;

    public void Pulse()
    {
        _times.Add(clock.GetUtcNow());
        Interlocked.Exchange(ref _pulse, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>When the first pulse at or after <paramref name="committed"/> was given (null if too long ago to say): the event's notify, for <see cref="FeedLag"/>.</summary>
    public DateTimeOffset? SignalledAfter(DateTimeOffset committed) => _times.FirstAtOrAfter(committed);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.GetEvents().Any()) Pulse();
        return Task.CompletedTask;
    }

    /// <summary>The last pulses' times, oldest first: a few seconds of a storm's commits.</summary>
    private sealed class PulseTimes
    {
        private readonly long[] _ticks = new long[16384];
        private long _count;

        public void Add(DateTimeOffset at)
        {
            lock (_ticks)
            {
                // Kept in order: a pulse is never earlier than the one before it.
                var last = _count > 0 ? _ticks[(_count - 1) % _ticks.Length] : 0;
                _ticks[_count++ % _ticks.Length] = Math.Max(last, at.UtcTicks);
            }
        }

        public DateTimeOffset? FirstAtOrAfter(DateTimeOffset at)
        {
            lock (_ticks)
            {
                long low = Math.Max(0, _count - _ticks.Length), high = _count;
                if (low == high || _ticks[low % _ticks.Length] > at.UtcTicks) return null; // before the oldest kept: unknown
                while (low < high)
                {
                    var mid = low + (high - low) / 2;
                    if (_ticks[mid % _ticks.Length] < at.UtcTicks) low = mid + 1; else high = mid;
                }
                return low == _count ? null : new DateTimeOffset(_ticks[low % _ticks.Length], TimeSpan.Zero);
            }
        }
    }
}

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// A missing sequence number a follower has stopped at. It may be stepped over once it is <see cref="Decided"/>:
/// every transaction that was writing events when it was first seen has ended, and it is at least the minimum age
/// (a transaction draws its number a moment before it takes the write lock the wait looks for).
/// </summary>
public sealed class PendingGap : IDisposable
{
    private readonly CancellationTokenSource _stop;

    public PendingGap(long position, long horizon, SequenceGaps gaps, TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        Position = position;
        Horizon = horizon;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Decided = DecideAsync(gaps, minimumAge, _stop.Token);
    }

    /// <summary>The position the follower is at: the missing number is the next one.</summary>
    public long Position { get; }

    /// <summary>The last event seen committed with the gap: the gaps below it are the ones the wait decides.</summary>
    public long Horizon { get; }

    public Task Decided { get; }

    private static async Task DecideAsync(SequenceGaps gaps, TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var old = Task.Delay(minimumAge, cancellationToken);
        await gaps.WaitForInFlightTransactionsAsync(cancellationToken);
        await old;
    }

    /// <summary>Stops the wait (the gap filled, or the follower left).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        Decided.ContinueWith(_ => _stop.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

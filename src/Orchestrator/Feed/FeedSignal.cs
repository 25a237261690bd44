using Marten;
using Marten.Services;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Wakes live event followers as soon as this process commits anything, so delivery does not wait for a poll.
/// (Commits by other instances are found by the followers' poll.)
/// </summary>
public sealed class FeedSignal : DocumentSessionListenerBase
{
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next commit; take it before reading so no commit is missed.</summary>
    public Task NextPulse() => Volatile.Read(ref _pulse).Task;

    public void Pulse() => Interlocked.Exchange(ref _pulse, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.GetEvents().Any()) Pulse();
        return Task.CompletedTask;
    }
}

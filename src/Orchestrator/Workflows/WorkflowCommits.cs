using System.Diagnostics;
using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Group commit: the writes of many workflows that are ready at the same moment (first commits and driver appends)
/// share one Marten session and one transaction. At most <see cref="WorkflowOptions.CommitConcurrency"/> commits run at once; appends that arrive
/// while they run wait and go together in the next one (up to <see cref="WorkflowOptions.MaxCommitBatch"/>), so a
/// quiet system commits each append at once and a storm pays one round trip and one transaction for many. A group
/// that does not commit (one stream moved on, a lease lost, the database away) writes nothing; each of its appends
/// is then tried again alone by <see cref="WorkflowStore"/>, where its own failure is handled as before.
/// </summary>
public sealed class WorkflowCommits : IAsyncDisposable
{
    private readonly IDocumentStore _store;
    private readonly WorkflowLeases _leases;
    private readonly WorkflowOptions _options;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly SemaphoreSlim _slots;
    private readonly Task _loop;

    public WorkflowCommits(IDocumentStore store, WorkflowLeases leases, IOptions<WorkflowOptions> options)
    {
        _store = store;
        _leases = leases;
        _options = options.Value;
        _slots = new SemaphoreSlim(_options.CommitConcurrency);
        _loop = _options.GroupCommit ? Task.Run(CommitLoopAsync) : Task.CompletedTask;
    }

    /// <summary>True when the append committed in a group; false when it must be tried alone (nothing of it was written).</summary>
    public Task<bool> CommitAsync(WorkflowContext context, WorkflowDecision decision, CancellationToken stopping) =>
        CommitAsync(session => WorkflowAppend.Queue(session, _leases, context, WorkflowAppend.Events(context, decision), decision), stopping);

    /// <summary>
    /// True when what <paramref name="write"/> queues on the session committed in a group; false when it must be
    /// written alone (nothing of it was). <paramref name="write"/> may run on another thread, once.
    /// </summary>
    public async Task<bool> CommitAsync(Action<IDocumentSession> write, CancellationToken stopping)
    {
        if (!_options.GroupCommit) return false;
        var pending = new PendingAppend(write, Activity.Current);
        if (!_pending.Writer.TryWrite(pending)) return false; // shutting down
        return await pending.Committed.Task.WaitAsync(stopping).ConfigureAwait(false);
    }

    private async Task CommitLoopAsync()
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _slots.WaitAsync().ConfigureAwait(false);
            var group = new List<PendingAppend>();
            while (group.Count < _options.MaxCommitBatch && reader.TryRead(out var next)) group.Add(next);
            if (group.Count == 0)
            {
                _slots.Release();
                continue;
            }
            _ = CommitGroupAsync(group);
        }
    }

    private async Task CommitGroupAsync(List<PendingAppend> group)
    {
        // The group's own span, linked to every workflow it carries; each workflow's span notes the commit.
        using var span = OrchestratorTelemetry.Source.StartActivity("cpe.workflow.commit", ActivityKind.Internal, parentContext: default,
            links: group.Where(p => p.Workflow is not null).Select(p => new ActivityLink(p.Workflow!.Context)));
        span?.SetTag(CommitSize, group.Count);
        var committed = false;
        try
        {
            await using var session = _store.LightweightSession();
            foreach (var pending in group) pending.Write(session);
            await session.SaveChangesAsync().ConfigureAwait(false);
            committed = true;
        }
        catch (Exception e)
        {
            // Which append the group failed on is for each to find out alone.
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
        }
        finally
        {
            _slots.Release();
        }
        OrchestratorTelemetry.CommitGroupSize.Record(group.Count, new KeyValuePair<string, object?>("committed", committed));
        foreach (var pending in group)
        {
            pending.Workflow?.AddEvent(new ActivityEvent("cpe.workflow.committed", tags: new ActivityTagsCollection
            {
                [CommitSize] = group.Count,
                ["cpe.commit.grouped"] = committed,
            }));
            pending.Committed.TrySetResult(committed);
        }
    }

    private const string CommitSize = "cpe.commit.size";

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        // Appends still waiting are tried alone by their callers (if those are still there).
        while (_pending.Reader.TryRead(out var left)) left.Committed.TrySetResult(false);
    }

    private sealed record PendingAppend(Action<IDocumentSession> Write, Activity? Workflow)
    {
        public TaskCompletionSource<bool> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

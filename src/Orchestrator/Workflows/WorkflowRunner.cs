using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Runs accepted workflows in the background, at most <see cref="WorkflowOptions.MaxConcurrentWorkflows"/> at once,
/// and at start-up resumes every workflow the store still has as running (none stays stuck after a crash).
/// </summary>
public sealed class WorkflowRunner(
    WorkflowDriver driver,
    IDocumentStore store,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowRunner> logger) : BackgroundService
{
    private readonly Channel<(Guid Id, Activity? Root)> _queue = Channel.CreateUnbounded<(Guid, Activity?)>();
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentWorkflows);
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    public void Enqueue(Guid workflowId, Activity? root) => _queue.Writer.TryWrite((workflowId, root));

    /// <summary>Interrupts the step a workflow is waiting on (after a cancel has been stored).</summary>
    public void Interrupt(Guid workflowId)
    {
        if (_running.TryGetValue(workflowId, out var cts)) cts.Cancel();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ResumeUnfinishedAsync(stoppingToken);
        await foreach (var (id, root) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            await _slots.WaitAsync(stoppingToken);
            _ = Task.Run(() => RunAsync(id, root, stoppingToken), CancellationToken.None);
        }
    }

    private async Task RunAsync(Guid workflowId, Activity? root, CancellationToken stoppingToken)
    {
        using var interrupt = new CancellationTokenSource();
        if (!_running.TryAdd(workflowId, interrupt))
        {
            // Already being driven here: the running driver will see whatever this request wanted.
            WorkflowSpans.Discard(root);
            _slots.Release();
            return;
        }
        try
        {
            await driver.DriveAsync(workflowId, root, interrupt.Token, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            Log.DriverCrashed(logger, e, workflowId);
        }
        finally
        {
            _running.TryRemove(workflowId, out _);
            _slots.Release();
        }
    }

    private async Task ResumeUnfinishedAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var session = store.QuerySession();
                var unfinished = await session.Query<WorkflowSummary>()
                    .Where(w => w.Status == WorkflowStatus.Running && w.CreatedAt < _startedAt)
                    .Select(w => w.Id)
                    .ToListAsync(stoppingToken);
                if (unfinished.Count > 0) Log.ResumingUnfinished(logger, unfinished.Count);
                foreach (var id in unfinished) Enqueue(id, root: null);
                return;
            }
            catch (Npgsql.NpgsqlException e)
            {
                Log.StoreUnavailable(logger, Guid.Empty, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}

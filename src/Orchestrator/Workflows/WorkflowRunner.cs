using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Runs the workflows this instance holds, in the background, at most <see cref="WorkflowOptions.MaxConcurrentWorkflows"/>
/// at once. Which workflows it holds is decided by the leases (see Coordination.WorkflowOwnership).
/// </summary>
public sealed class WorkflowRunner(
    WorkflowDriver driver,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowRunner> logger) : BackgroundService
{
    private readonly Channel<(Guid Id, Activity? Root)> _queue = Channel.CreateUnbounded<(Guid, Activity?)>();
    private readonly ConcurrentDictionary<Guid, Control> _owned = new();
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentWorkflows);

    /// <summary>Cancel: a stored cancel interrupts the step. Lost: another instance holds the workflow now.</summary>
    private sealed class Control
    {
        public CancellationTokenSource Interrupt { get; } = new();
        public CancellationTokenSource Lost { get; } = new();
        public bool Running { get; set; }
    }

    /// <summary>Workflows queued or running here (their leases are renewed).</summary>
    public IReadOnlyCollection<Guid> Owned => _owned.Keys.ToList();

    public bool Owns(Guid workflowId) => _owned.ContainsKey(workflowId);

    public void Enqueue(Guid workflowId, Activity? root)
    {
        if (!_owned.TryAdd(workflowId, new Control()))
        {
            WorkflowSpans.Discard(root); // already here: the driver will see whatever this wanted
            return;
        }
        _queue.Writer.TryWrite((workflowId, root));
    }

    /// <summary>Interrupts the step a workflow is waiting on (after a cancel has been stored).</summary>
    public void Interrupt(Guid workflowId)
    {
        if (_owned.TryGetValue(workflowId, out var control)) control.Interrupt.Cancel();
    }

    /// <summary>Stops driving a workflow whose lease went to another instance, without writing anything.</summary>
    public void Abandon(Guid workflowId)
    {
        if (_owned.TryGetValue(workflowId, out var control)) control.Lost.Cancel();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (id, root) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            await _slots.WaitAsync(stoppingToken);
            _ = Task.Run(() => RunAsync(id, root, stoppingToken), CancellationToken.None);
        }
    }

    private async Task RunAsync(Guid workflowId, Activity? root, CancellationToken stoppingToken)
    {
        var control = _owned[workflowId];
        using var stopOrLost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, control.Lost.Token);
        try
        {
            await driver.DriveAsync(workflowId, root, control.Interrupt.Token, stopOrLost.Token);
        }
        catch (Exception e) when (!stopOrLost.IsCancellationRequested)
        {
            Log.DriverCrashed(logger, e, workflowId);
        }
        finally
        {
            _owned.TryRemove(workflowId, out _);
            control.Interrupt.Dispose();
            control.Lost.Dispose();
            _slots.Release();
        }
    }
}

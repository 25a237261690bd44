using System.Collections.Concurrent;
using Grpc.Core;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Benchmarks.Storm;

/// <summary>How one device's workflow ended, as the live follower saw it.</summary>
public sealed record TerminalEvent(string SerialNumber, string WorkflowId, string EventType, WorkflowResult Result, WorkflowStep FailedStep, string Reason, DateTimeOffset OccurredAt);

/// <summary>
/// A live StreamProvisioningEvents(follow = true) subscriber attached before the storm: records the delivery lag
/// (receive time − occurred_at, same box and clock) of every event and the terminal event of every device.
/// </summary>
public sealed class EventFollower : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TerminalEvent> _terminal = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkflowStep> _lastStep = new(StringComparer.Ordinal);
    private readonly List<double> _lagsMs = [];
    private readonly HashSet<string> _watched;
    private readonly TaskCompletionSource _allTerminal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _run;
    private long _events;
    private DateTimeOffset _firstEvent = DateTimeOffset.MaxValue, _lastEvent = DateTimeOffset.MinValue;

    public EventFollower(ProvisioningService.ProvisioningServiceClient client, IEnumerable<string> watchedSerials, long afterPosition)
    {
        _watched = new HashSet<string>(watchedSerials, StringComparer.Ordinal);
        if (_watched.Count == 0) _allTerminal.TrySetResult();
        _run = Task.Run(() => RunAsync(client, afterPosition));
    }

    public IReadOnlyDictionary<string, TerminalEvent> Terminal => _terminal;
    public IReadOnlyDictionary<string, WorkflowStep> LastStep => _lastStep;
    public long Events => Interlocked.Read(ref _events);
    public DateTimeOffset FirstEventAt => _firstEvent;
    public DateTimeOffset LastEventAt => _lastEvent;
    public Exception? Failure { get; private set; }

    public double[] LagsMs()
    {
        lock (_lagsMs) return Percentiles.Sorted(_lagsMs);
    }

    /// <summary>Completes when every watched device has a terminal event.</summary>
    public Task AllTerminal => _allTerminal.Task;

    private async Task RunAsync(ProvisioningService.ProvisioningServiceClient client, long afterPosition)
    {
        try
        {
            using var call = client.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true, AfterPosition = afterPosition }, cancellationToken: _stop.Token);
            while (await call.ResponseStream.MoveNext(_stop.Token))
            {
                var received = DateTimeOffset.UtcNow;
                var e = call.ResponseStream.Current;
                var occurred = e.OccurredAt.ToDateTimeOffset();
                lock (_lagsMs)
                {
                    _lagsMs.Add((received - occurred).TotalMilliseconds);
                    if (occurred < _firstEvent) _firstEvent = occurred;
                    if (occurred > _lastEvent) _lastEvent = occurred;
                }
                Interlocked.Increment(ref _events);
                if (e.Step != WorkflowStep.Unspecified) _lastStep[e.SerialNumber] = e.Step;
                TerminalEvent? terminal = e.PayloadCase switch
                {
                    ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded =>
                        new(e.SerialNumber, e.WorkflowId, e.EventType, WorkflowResult.Success, WorkflowStep.Unspecified, "", occurred),
                    ProvisioningEvent.PayloadOneofCase.ProvisioningFailed =>
                        new(e.SerialNumber, e.WorkflowId, e.EventType, e.ProvisioningFailed.Result, e.ProvisioningFailed.Step, e.ProvisioningFailed.Reason, occurred),
                    ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled =>
                        new(e.SerialNumber, e.WorkflowId, e.EventType, WorkflowResult.Cancelled, WorkflowStep.Unspecified, e.ProvisioningCancelled.Reason, occurred),
                    _ => null,
                };
                if (terminal is not null && _watched.Contains(e.SerialNumber) && _terminal.TryAdd(e.SerialNumber, terminal) && _terminal.Count >= _watched.Count)
                    _allTerminal.TrySetResult();
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled || _stop.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            Failure = e;
            _allTerminal.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _run; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

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
    private readonly ConcurrentDictionary<string, List<(string Type, DateTimeOffset At)>> _timeline = new(StringComparer.Ordinal);
    private readonly List<double> _lagsMs = [];
    private readonly List<(long Position, DateTimeOffset Received)> _receipts = [];
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
    public long LastPosition { get; private set; }

    /// <summary>Each device's events in delivery order (type, occurred_at): where a workflow's time went, step by step.</summary>
    public IReadOnlyDictionary<string, List<(string Type, DateTimeOffset At)>> Timeline => _timeline;

    public double[] LagsMs()
    {
        lock (_lagsMs) return Percentiles.Sorted(_lagsMs);
    }

    /// <summary>When each watched event arrived, by its global position: for the lag from its real commit (<see cref="CommitOrder"/>).</summary>
    public List<(long Position, DateTimeOffset Received)> Receipts()
    {
        lock (_lagsMs) return [.. _receipts];
    }

    /// <summary>Completes when every watched device has a terminal event.</summary>
    public Task AllTerminal => _allTerminal.Task;

    /// <summary>Times the stream broke (server error) and was resumed from the last position received, as a client would.</summary>
    public int StreamErrors { get; private set; }
    public string? LastStreamError { get; private set; }

    private async Task RunAsync(ProvisioningService.ProvisioningServiceClient client, long afterPosition)
    {
        LastPosition = afterPosition;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(client);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled || _stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RpcException e)
            {
                StreamErrors++;
                LastStreamError = $"{e.StatusCode}: {e.Status.Detail}";
                if (StreamErrors > 1000)
                {
                    Failure = e;
                    _allTerminal.TrySetException(e);
                    return;
                }
                try { await Task.Delay(200, _stop.Token); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task FollowAsync(ProvisioningService.ProvisioningServiceClient client)
    {
        using var call = client.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true, AfterPosition = LastPosition }, cancellationToken: _stop.Token);
        while (await call.ResponseStream.MoveNext(_stop.Token))
        {
            var received = DateTimeOffset.UtcNow;
            var e = call.ResponseStream.Current;
            LastPosition = e.GlobalPosition;
            if (!_watched.Contains(e.SerialNumber)) continue; // e.g. the warm-up's events
            var occurred = e.OccurredAt.ToDateTimeOffset();
            lock (_lagsMs)
            {
                _lagsMs.Add((received - occurred).TotalMilliseconds);
                _receipts.Add((e.GlobalPosition, received));
                if (occurred < _firstEvent) _firstEvent = occurred;
                if (occurred > _lastEvent) _lastEvent = occurred;
            }
            Interlocked.Increment(ref _events);
            if (e.Step != WorkflowStep.Unspecified) _lastStep[e.SerialNumber] = e.Step;
            _timeline.GetOrAdd(e.SerialNumber, _ => []).Add((e.EventType, occurred));
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
            if (terminal is not null && _terminal.TryAdd(e.SerialNumber, terminal) && _terminal.Count >= _watched.Count)
                _allTerminal.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _run; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

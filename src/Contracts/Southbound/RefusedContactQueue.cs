using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;

namespace Provisioning.Contracts.Southbound;

/// <summary>
/// How an adapter puts refused contacts on record (ReportRefusedContact) without ever holding up its answer to the
/// device: one report per key (a device, or a username) and reason per window — the orchestrator counts in windows
/// too, so repeats would only cost calls — sent by a few senders from a bounded queue; what does not fit is dropped.
/// The remembered keys are bounded: in a flood of distinct keys, nothing more is reported until the window frees some.
/// </summary>
public sealed class RefusedContactQueue : IAsyncDisposable
{
    private const int MaxRemembered = 50_000;
    private readonly DeviceContacts.DeviceContactsClient _contacts;
    private readonly TimeSpan _timeout;
    private readonly long _windowMilliseconds;
    private readonly Action<RefusedContactReport, RefusalReportOutcome, RpcException?> _observe;
    private readonly ConcurrentDictionary<(string Key, RefusalReason Reason), long> _lastQueued = new();
    private readonly Channel<RefusedContactReport> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _senders;
    private long _lastPrune;

    public RefusedContactQueue(DeviceContacts.DeviceContactsClient contacts, TimeSpan window, int senders, int capacity, TimeSpan timeout,
        Action<RefusedContactReport, RefusalReportOutcome, RpcException?>? observe = null)
    {
        _contacts = contacts;
        _timeout = timeout;
        _windowMilliseconds = (long)window.TotalMilliseconds;
        _observe = observe ?? ((_, _, _) => { });
        _queue = Channel.CreateBounded<RefusedContactReport>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite });
        _senders = Enumerable.Range(0, Math.Max(1, senders)).Select(_ => Task.Run(SendAsync)).ToArray();
    }

    /// <summary>Reports handed to the orchestrator (tests, diagnostics).</summary>
    public long Sent => Interlocked.Read(ref _sent);
    private long _sent;

    /// <summary>Queues the report unless an equal one (same key and reason) was queued within the window. Never blocks, never throws.</summary>
    public void Report(string key, RefusedContactReport report)
    {
        if (!FirstInWindow(key, report.Reason)) _observe(report, RefusalReportOutcome.Deduplicated, null);
        else if (!_queue.Writer.TryWrite(report)) _observe(report, RefusalReportOutcome.Dropped, null);
    }

    private bool FirstInWindow(string key, RefusalReason reason)
    {
        var now = Environment.TickCount64;
        var entry = (key, reason);
        while (true)
        {
            if (_lastQueued.TryGetValue(entry, out var last))
            {
                if (now - last < _windowMilliseconds) return false;
                if (_lastQueued.TryUpdate(entry, now, last)) return true;
                continue;
            }
            if (_lastQueued.Count >= MaxRemembered)
            {
                Prune(now);
                if (_lastQueued.Count >= MaxRemembered) return false;
            }
            if (_lastQueued.TryAdd(entry, now)) return true;
        }
    }

    private void Prune(long now)
    {
        if (now - Interlocked.Read(ref _lastPrune) < 1000) return;
        Interlocked.Exchange(ref _lastPrune, now);
        foreach (var (entry, last) in _lastQueued)
            if (now - last >= _windowMilliseconds) _lastQueued.TryRemove(new KeyValuePair<(string, RefusalReason), long>(entry, last));
    }

    private async Task SendAsync()
    {
        try
        {
            await foreach (var report in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await _contacts.ReportRefusedContactAsync(report, deadline: DateTime.UtcNow + _timeout, cancellationToken: _stopping.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                    _observe(report, RefusalReportOutcome.Sent, null);
                }
                catch (RpcException ex)
                {
                    if (_stopping.IsCancellationRequested) return; // shutting down: the call was ours to cancel
                    // An orchestrator that is away (or older than the contract): the refusal stays in the log and metric.
                    _observe(report, RefusalReportOutcome.Failed, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_senders).ConfigureAwait(false);
        _stopping.Dispose();
    }
}

public enum RefusalReportOutcome { Sent, Deduplicated, Dropped, Failed }

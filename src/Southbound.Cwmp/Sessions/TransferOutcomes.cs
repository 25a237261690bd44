using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// A transfer's outcome as the CPE reported it, with what the Inform of that session said: its SoftwareVersion ("" when
/// the Inform did not name it) and its data model root (where to read the version otherwise).
/// </summary>
public sealed record ReportedTransfer(TransferComplete Transfer, string SoftwareVersion, string DataModelRoot);

/// <summary>
/// One device's transfer of one CommandKey: awaited from the Download the CPE accepted until its TransferComplete, then
/// the outcome itself. Callers may wait for it (a workflow's DownloadFirmware, or the orchestrator's re-driven one).
/// </summary>
public sealed class AwaitedTransfer
{
    private readonly TaskCompletionSource<ReportedTransfer> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int waiting;
    private string? workflowId;

    /// <summary>When it began to be awaited (a Download accepted), for the transfer's duration.</summary>
    public long Since { get; } = Stopwatch.GetTimestamp();

    public bool IsReported => outcome.Task.IsCompleted;

    public Task<ReportedTransfer> Outcome => outcome.Task;

    /// <summary>A caller waits for the outcome (for its workflow, if it names one): the session that reports it is held for it.</summary>
    internal void Join(string? forWorkflow)
    {
        lock (outcome)
        {
            waiting++;
            if (!string.IsNullOrEmpty(forWorkflow)) workflowId = forWorkflow;
        }
    }

    /// <summary>A caller stops waiting; true when it was the last.</summary>
    internal bool Leave()
    {
        lock (outcome) return --waiting == 0;
    }

    /// <summary>
    /// The outcome arrived in <paramref name="session"/>: held for a waiting caller's workflow first (so the CPE's empty POST
    /// waits for that caller's next RPC), then handed over. True when a caller was waiting.
    /// </summary>
    internal bool Report(ReportedTransfer reported, CwmpSession? session)
    {
        bool awaited;
        lock (outcome)
        {
            awaited = waiting > 0;
            if (awaited) session?.Hold(workflowId);
        }
        outcome.TrySetResult(reported);
        return awaited;
    }
}

/// <summary>
/// Firmware transfers by device (serial number) and CommandKey: those a Download started, awaited until the CPE reports
/// them, and the outcomes reported, kept so that a DownloadFirmware re-driven with the same CommandKey (the orchestrator
/// restarted mid-upgrade, or its call timed out while the CPE was still flashing) gets the outcome instead of sending a
/// second Download. What is remembered is bounded: every entry expires after <see cref="CwmpOptions.TransferRetention"/>,
/// and at most <see cref="CwmpOptions.MaxTransfers"/> are kept (beyond that the cache compacts: the expired first, then
/// the least recently used). The transfers a call is waiting for right now are also in a table of their own, which the
/// cache's compaction cannot touch (it holds no more than the calls in progress), so a full cache never loses a report
/// someone waits for.
/// </summary>
public sealed class TransferOutcomes(CwmpOptions options) : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = options.MaxTransfers });
    private readonly ConcurrentDictionary<(string, string), AwaitedTransfer> waitedFor = new();

    /// <summary>The transfer of this CommandKey this ACS started or heard the device report, if it still remembers it.</summary>
    public AwaitedTransfer? Find(string serialNumber, string commandKey) =>
        waitedFor.TryGetValue((serialNumber, commandKey), out var transfer) || cache.TryGetValue((serialNumber, commandKey), out transfer) ? transfer : null;

    /// <summary>A Download is about to be sent: its TransferComplete is awaited from now on (registered first, so none slips by).</summary>
    public AwaitedTransfer Expect(string serialNumber, string commandKey)
    {
        var transfer = new AwaitedTransfer();
        Keep((serialNumber, commandKey), transfer);
        return transfer;
    }

    /// <summary>The Download was refused or not answered: nothing is awaited for it any more.</summary>
    public void Forget(string serialNumber, string commandKey, AwaitedTransfer transfer)
    {
        var key = (serialNumber, commandKey);
        if (cache.TryGetValue(key, out AwaitedTransfer? current) && ReferenceEquals(current, transfer)) cache.Remove(key);
    }

    /// <summary>Waits for the transfer's outcome; meanwhile the session that reports it is held for <paramref name="workflowId"/>.</summary>
    public async Task<ReportedTransfer> WaitAsync(string serialNumber, string commandKey, AwaitedTransfer transfer, string? workflowId,
        CancellationToken cancellationToken)
    {
        var key = (serialNumber, commandKey);
        transfer.Join(workflowId);
        var listed = waitedFor.GetOrAdd(key, transfer);
        try
        {
            return await transfer.Outcome.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (transfer.Leave() && ReferenceEquals(listed, transfer)) waitedFor.TryRemove(new KeyValuePair<(string, string), AwaitedTransfer>(key, transfer));
        }
    }

    /// <summary>
    /// The device reported a transfer's outcome (its TransferComplete, or a DownloadResponse Status 0): handed to the callers
    /// waiting for it, and kept. A CommandKey nobody awaits is kept too (this ACS may have restarted since its Download);
    /// a repeated TransferComplete (its response was lost) replaces the outcome kept. True when a caller was waiting.
    /// </summary>
    public bool Report(string serialNumber, ReportedTransfer reported, CwmpSession? session)
    {
        var key = (serialNumber, reported.Transfer.CommandKey);
        var transfer = Find(serialNumber, reported.Transfer.CommandKey);
        if (transfer is null || transfer.IsReported) transfer = new AwaitedTransfer();
        var awaited = transfer.Report(reported, session);
        Keep(key, transfer); // retained from the report on
        return awaited;
    }

    /// <summary>Transfers remembered (awaited or reported), at most <see cref="CwmpOptions.MaxTransfers"/>.</summary>
    public int Count => cache.Count;

    private void Keep((string SerialNumber, string CommandKey) key, AwaitedTransfer transfer) =>
        cache.Set(key, transfer, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = options.TransferRetention });

    public void Dispose() => cache.Dispose();
}

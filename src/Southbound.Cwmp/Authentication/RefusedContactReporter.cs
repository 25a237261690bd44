using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>
/// Tells the orchestrator about refused contacts (ReportRefusedContact), so a refusal is on the device's record and not
/// only in a log line. Never in the CPE's way: reports are queued (bounded; a full queue drops) and sent by a few
/// background senders, and equal refusals (same serial, or username when no Inform was read, and reason) are sent once
/// per <see cref="CwmpAuthOptions.RefusalReportWindow"/>, so a flood of wrong passwords costs the orchestrator a bounded
/// number of calls. A failing orchestrator is logged once until a report gets through again.
/// </summary>
public sealed class RefusedContactReporter(DeviceContacts.DeviceContactsClient contacts, CwmpOptions options, TimeProvider time,
    ILogger<RefusedContactReporter> logger) : BackgroundService
{
    private const int Senders = 2;
    private const int MaxQueued = 1024;
    private const int MaxRemembered = 50_000;

    private readonly Channel<RefusedContactReport> queue = Channel.CreateBounded<RefusedContactReport>(
        new BoundedChannelOptions(MaxQueued) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = false, SingleWriter = false });
    // Key -> when it was last sent (TimeProvider timestamp).
    private readonly ConcurrentDictionary<string, long> lastSent = new(StringComparer.Ordinal);
    private readonly long windowTicks = (long)(options.Auth.RefusalReportWindow.TotalSeconds * time.TimestampFrequency);
    private int failureLogged;
    private long sent;

    /// <summary>Reports handed to the orchestrator (tests, diagnostics).</summary>
    public long Sent => Interlocked.Read(ref sent);

    /// <summary>Queues a report unless an equal one was queued within the window. Never blocks, never throws.</summary>
    public void Report(string? serialNumber, string? username, RefusalReason reason, string detail, string? remoteAddress, IReadOnlyList<string>? eventCodes)
    {
        var who = string.IsNullOrEmpty(serialNumber) ? "u:" + username : "s:" + serialNumber;
        var key = who + "|" + (int)reason;
        var now = time.GetTimestamp();
        if (lastSent.TryGetValue(key, out var last) && now - last < windowTicks) return;
        lastSent[key] = now;
        if (lastSent.Count > MaxRemembered) Prune(now);

        var report = new RefusedContactReport
        {
            Device = new DeviceRef { SerialNumber = serialNumber ?? "", Protocol = DeviceProtocol.Cwmp },
            Reason = reason,
            Detail = detail,
            RemoteAddress = remoteAddress ?? "",
            Username = username ?? "",
        };
        if (eventCodes is not null) report.EventCodes.Add(eventCodes);
        queue.Writer.TryWrite(report);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => SendAsync(stoppingToken)));

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var report in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await contacts.ReportRefusedContactAsync(report, deadline: DateTime.UtcNow.Add(options.ContactReportTimeout),
                        cancellationToken: stoppingToken).ConfigureAwait(false);
                    Interlocked.Increment(ref sent);
                    Volatile.Write(ref failureLogged, 0);
                }
                catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
                {
                    if (Interlocked.Exchange(ref failureLogged, 1) == 0) CwmpLog.RefusalReportFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Entries older than the window no longer deduplicate anything; when a flood of distinct names fills the table
    // anyway, it is dropped whole (at worst one more report per key).
    private void Prune(long now)
    {
        foreach (var (key, at) in lastSent)
            if (now - at >= windowTicks) lastSent.TryRemove(new KeyValuePair<string, long>(key, at));
        if (lastSent.Count > MaxRemembered) lastSent.Clear();
    }
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>
/// Puts refused agents on record (ReportRefusedContact) without ever holding up the answer to the agent: one report per
/// endpoint ID and reason per window (the orchestrator counts in windows too, so repeats would only cost calls), sent by
/// a few workers from a bounded queue; what does not fit is dropped and counted. Every refusal is counted in
/// <c>usp.contacts.refused</c> and logged, reported or not.
/// </summary>
internal sealed class RefusedContacts : IAsyncDisposable
{
    private const int MaxRemembered = 50_000;
    private const int QueueCapacity = 1_000;
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(10);
    private readonly DeviceContacts.DeviceContactsClient _contacts;
    private readonly ILogger<RefusedContacts> _logger;
    private readonly long _windowMilliseconds;
    private readonly ConcurrentDictionary<(string EndpointId, RefusalReason Reason), long> _lastReported = new();
    private readonly Channel<RefusedContactReport> _queue =
        Channel.CreateBounded<RefusedContactReport>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private long _lastPrune;

    public RefusedContacts(DeviceContacts.DeviceContactsClient contacts, IOptions<UspOptions> options, ILogger<RefusedContacts> logger)
    {
        _contacts = contacts;
        _logger = logger;
        _windowMilliseconds = (long)options.Value.Auth.RefusalReportWindow.TotalMilliseconds;
        _workers = Enumerable.Range(0, Math.Max(1, options.Value.Auth.MaxRefusalReportsInFlight)).Select(_ => Task.Run(SendAsync)).ToArray();
    }

    /// <summary>Records a refusal; returns at once. <paramref name="detail"/> must hold no secret.</summary>
    public void Refused(string endpointId, string mtp, RefusalReason reason, string detail, string? remoteAddress)
    {
        UspTelemetry.CountRefused(reason, mtp);
        UspLog.ContactRefused(_logger, endpointId, mtp, ReasonName(reason), detail, remoteAddress ?? "");
        if (!FirstInWindow(endpointId, reason))
        {
            UspTelemetry.CountRefusalReport("deduplicated");
            return;
        }
        var report = new RefusedContactReport
        {
            Device = new DeviceRef { EndpointId = endpointId, Protocol = DeviceProtocol.Usp },
            Reason = reason,
            Detail = detail,
            RemoteAddress = remoteAddress ?? "",
        };
        if (!_queue.Writer.TryWrite(report)) UspTelemetry.CountRefusalReport("dropped");
    }

    /// <summary>The metric tag and log word for a reason: "unknown_device", "wrong_password", ...</summary>
    public static string ReasonName(RefusalReason reason) => reason switch
    {
        RefusalReason.WrongPassword => "wrong_password",
        RefusalReason.UnknownDevice => "unknown_device",
        RefusalReason.NotAuthenticated => "not_authenticated",
        RefusalReason.OtherDevice => "other_device",
        RefusalReason.Policy => "policy",
        RefusalReason.Replayed => "replayed",
        RefusalReason.BootstrapRefused => "bootstrap_refused",
        RefusalReason.CredentialNotAdopted => "credential_not_adopted",
        _ => "unspecified",
    };

    private bool FirstInWindow(string endpointId, RefusalReason reason)
    {
        var now = Environment.TickCount64;
        var key = (endpointId, reason);
        while (true)
        {
            if (_lastReported.TryGetValue(key, out var last))
            {
                if (now - last < _windowMilliseconds) return false;
                if (_lastReported.TryUpdate(key, now, last)) return true;
                continue;
            }
            if (_lastReported.Count >= MaxRemembered)
            {
                Prune(now);
                // Still full of fresh entries (a flood of distinct endpoint IDs): report nothing more this window rather
                // than grow without bound; the metric and the log still count every one.
                if (_lastReported.Count >= MaxRemembered) return false;
            }
            if (_lastReported.TryAdd(key, now)) return true;
        }
    }

    private void Prune(long now)
    {
        if (now - Interlocked.Read(ref _lastPrune) < 1000) return;
        Interlocked.Exchange(ref _lastPrune, now);
        foreach (var (key, last) in _lastReported)
            if (now - last >= _windowMilliseconds) _lastReported.TryRemove(new KeyValuePair<(string, RefusalReason), long>(key, last));
    }

    private async Task SendAsync()
    {
        try
        {
            await foreach (var report in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await _contacts.ReportRefusedContactAsync(report, deadline: DateTime.UtcNow + ReportTimeout, cancellationToken: _stopping.Token).ConfigureAwait(false);
                    UspTelemetry.CountRefusalReport("sent");
                }
                catch (RpcException ex)
                {
                    // An orchestrator that is away or older than the contract: the refusal stays in the log and metric.
                    UspTelemetry.CountRefusalReport("failed");
                    UspLog.RefusalReportFailed(_logger, report.Device.EndpointId, ex.StatusCode.ToString());
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
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _stopping.Dispose();
    }
}

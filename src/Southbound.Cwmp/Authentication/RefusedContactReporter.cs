using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>
/// The ACS's refused contacts on record, through the shared <see cref="RefusedContactQueue"/>: keyed by serial number,
/// or by username when no Inform was read, one report per reason per <see cref="CwmpAuthOptions.RefusalReportWindow"/>.
/// A failing orchestrator is logged once until a report gets through again.
/// </summary>
public sealed class RefusedContactReporter : IAsyncDisposable
{
    private readonly RefusedContactQueue _queue;
    private int _failureLogged;

    public RefusedContactReporter(DeviceContacts.DeviceContactsClient contacts, CwmpOptions options, ILogger<RefusedContactReporter> logger)
    {
        _queue = new RefusedContactQueue(contacts, options.Auth.RefusalReportWindow, senders: 2, capacity: 1024, options.ContactReportTimeout,
            (_, outcome, error) =>
            {
                if (outcome == RefusalReportOutcome.Sent) Volatile.Write(ref _failureLogged, 0);
                else if (error is not null && Interlocked.Exchange(ref _failureLogged, 1) == 0) CwmpLog.RefusalReportFailed(logger, error);
            });
    }

    /// <summary>Reports handed to the orchestrator (tests, diagnostics).</summary>
    public long Sent => _queue.Sent;

    /// <summary>Queues a report unless an equal one was queued within the window. Never blocks, never throws.</summary>
    public void Report(string? serialNumber, string? username, RefusalReason reason, string detail, string? remoteAddress, IReadOnlyList<string>? eventCodes)
    {
        var report = new RefusedContactReport
        {
            Device = new DeviceRef { SerialNumber = serialNumber ?? "", Protocol = DeviceProtocol.Cwmp },
            Reason = reason,
            Detail = detail,
            RemoteAddress = remoteAddress ?? "",
            Username = username ?? "",
        };
        if (eventCodes is not null) report.EventCodes.Add(eventCodes);
        _queue.Report(string.IsNullOrEmpty(serialNumber) ? "u:" + username : "s:" + serialNumber, report);
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>
/// Refused agents on record, through the shared <see cref="RefusedContactQueue"/> (one report per endpoint ID and reason
/// per window, never in the way of the answer). Every refusal is counted in <c>usp.contacts.refused</c> and logged,
/// reported or not.
/// </summary>
internal sealed class RefusedContacts : IAsyncDisposable
{
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(10);
    private readonly ILogger<RefusedContacts> _logger;
    private readonly RefusedContactQueue _queue;

    public RefusedContacts(DeviceContacts.DeviceContactsClient contacts, IOptions<UspOptions> options, ILogger<RefusedContacts> logger)
    {
        _logger = logger;
        _queue = new RefusedContactQueue(contacts, options.Value.Auth.RefusalReportWindow, options.Value.Auth.MaxRefusalReportsInFlight,
            capacity: 1_000, ReportTimeout, Observe);
    }

    /// <summary>Records a refusal; returns at once. <paramref name="detail"/> must hold no secret.</summary>
    public void Refused(string endpointId, string mtp, RefusalReason reason, string detail, string? remoteAddress)
    {
        UspTelemetry.CountRefused(reason, mtp);
        UspLog.ContactRefused(_logger, endpointId, mtp, reason.Name(), detail, remoteAddress ?? "");
        _queue.Report(endpointId, new RefusedContactReport
        {
            Device = new DeviceRef { EndpointId = endpointId, Protocol = DeviceProtocol.Usp },
            Reason = reason,
            Detail = detail,
            RemoteAddress = remoteAddress ?? "",
        });
    }

    private void Observe(RefusedContactReport report, RefusalReportOutcome outcome, global::Grpc.Core.RpcException? error)
    {
        UspTelemetry.CountRefusalReport(outcome switch
        {
            RefusalReportOutcome.Sent => "sent",
            RefusalReportOutcome.Deduplicated => "deduplicated",
            RefusalReportOutcome.Dropped => "dropped",
            _ => "failed",
        });
        if (error is not null) UspLog.RefusalReportFailed(_logger, report.Device.EndpointId, error.StatusCode.ToString());
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}

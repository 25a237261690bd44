using System.Diagnostics;
using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.ServiceDefaults.Telemetry;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Sessions;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Grpc;

/// <summary>
/// A firmware upgrade carried out to its end: Download ("1 Firmware Upgrade Image"), then, as the CPE transfers, flashes
/// and reboots once its session is over, the TransferComplete of a later session ("1 BOOT", "7 TRANSFER COMPLETE",
/// "M Download"), then the SoftwareVersion the device runs now.
/// </summary>
public sealed partial class DeviceAdapterService
{
    private const string FirmwareFileType = "1 Firmware Upgrade Image";

    public override async Task<DownloadFirmwareResponse> DownloadFirmware(DownloadFirmwareRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        // The southbound call's span (as for the RPC exchanges, its children): what the workflow's trace shows of the upgrade.
        var call = Activity.Current;
        call?.SetTag(CwmpTelemetry.CommandKey, request.CommandKey);
        var response = await UpgradeAsync(request, deadline.Token).ConfigureAwait(false);
        if (response.Transfer is { } transfer) call?.SetTag(CwmpTelemetry.TransferFaultCode, (long)transfer.FaultCode);
        if (response.FirmwareVersionAfter.Length > 0) call?.SetTag(CwmpTelemetry.FirmwareVersionAfter, response.FirmwareVersionAfter);
        if (response.Failure is { } failure) call?.SetTag("cwmp.failure_kind", failure.Kind.ToString());
        return response;
    }

    private async Task<DownloadFirmwareResponse> UpgradeAsync(DownloadFirmwareRequest request, CancellationToken cancellationToken)
    {
        var serial = request.Device.SerialNumber;
        // Re-driven with the same CommandKey (the orchestrator restarted mid-upgrade, or its call timed out while the CPE
        // was flashing): the transfer this ACS started or heard reported, rather than a second Download.
        var transfer = transfers.Find(serial, request.CommandKey);
        if (transfer is not null)
        {
            Activity.Current?.AddEvent(new ActivityEvent(transfer.IsReported ? "transfer outcome kept" : "transfer already under way"));
        }
        else
        {
            transfer = transfers.Expect(serial, request.CommandKey);
            var download = new Download(request.CommandKey, FirmwareFileType, request.Url, request.Username, request.Password,
                request.FileSize, request.TargetFileName);
            var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, download, cancellationToken).ConfigureAwait(false);
            switch (outcome.Response)
            {
                case DownloadResponse { Status: 1 }:
                    // The CPE transfers once this session is over: let it end (a workflow holds the session otherwise).
                    outcome.Lease!.Session.Release();
                    break;
                case DownloadResponse { Status: 0 } done:
                    // Completed within the session: nothing more will be reported; the version is read in this session.
                    var completed = new ReportedTransfer(new TransferComplete(request.CommandKey, new FaultStruct(0, ""), done.StartTime, done.CompleteTime),
                        "", outcome.Lease!.Session.Identity.DataModelRoot);
                    transfers.Report(serial, completed, null);
                    return await AnswerAsync(request, completed, cancellationToken).ConfigureAwait(false);
                case null:
                    // Refused (9010, 9012, 9018 ... in the DownloadResponse fault), unreachable, or not answered.
                    transfers.Forget(serial, request.CommandKey, transfer);
                    return new DownloadFirmwareResponse { Failure = outcome.Failure };
                default:
                    transfers.Forget(serial, request.CommandKey, transfer);
                    return new DownloadFirmwareResponse { Failure = outcome.Response is DownloadResponse odd
                        ? DeviceRpcRunner.Failure(FailureKind.ProtocolError, $"DownloadResponse Status {odd.Status} is neither 0 nor 1")
                        : Unusable(outcome.Response, "DownloadResponse") };
            }
        }

        var reported = await WaitForTransferAsync(serial, request, transfer, cancellationToken).ConfigureAwait(false);
        return reported is null
            ? new DownloadFirmwareResponse { Failure = DeviceRpcRunner.Failure(FailureKind.Timeout,
                $"The device did not report the transfer of CommandKey '{request.CommandKey}' (TransferComplete) before the deadline; it is kept when it comes") }
            : await AnswerAsync(request, reported, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The TransferComplete of this CommandKey, in whatever session it comes (usually the one after the reboot); null at the deadline.</summary>
    private async Task<ReportedTransfer?> WaitForTransferAsync(string serial, DownloadFirmwareRequest request, AwaitedTransfer transfer,
        CancellationToken cancellationToken)
    {
        var underWay = !transfer.IsReported;
        using var activity = underWay ? CwmpTelemetry.Source.StartActivity("cwmp.transfer_wait", ActivityKind.Internal) : null;
        activity?.SetTag(CpeSpanAttributes.SerialNumber, serial);
        activity?.SetTag(CwmpTelemetry.CommandKey, request.CommandKey);
        try
        {
            var reported = await transfers.WaitAsync(serial, request.CommandKey, transfer, request.WorkflowId, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(CwmpTelemetry.TransferFaultCode, (long)reported.Transfer.Fault.FaultCode);
            if (underWay) CwmpTelemetry.TransferDuration.Record(Stopwatch.GetElapsedTime(transfer.Since).TotalSeconds);
            return reported;
        }
        catch (OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "no TransferComplete before the deadline");
            return null;
        }
    }

    /// <summary>
    /// The outcome and the version after it: the SoftwareVersion of the reporting session's Inform, or read from the device
    /// when that Inform did not name it. The version is reported whatever it is (an image that did not take comes back with
    /// the old one, and no fault): the orchestrator decides.
    /// </summary>
    private async Task<DownloadFirmwareResponse> AnswerAsync(DownloadFirmwareRequest request, ReportedTransfer reported, CancellationToken cancellationToken)
    {
        var tc = reported.Transfer;
        var response = new DownloadFirmwareResponse
        {
            Transfer = new FirmwareTransfer
            {
                CommandKey = tc.CommandKey,
                FaultCode = tc.Fault.FaultCode,
                FaultString = tc.Fault.FaultString,
                StartTime = TransferCompleteBounds.ContractTime(tc.StartTime),
                CompleteTime = TransferCompleteBounds.ContractTime(tc.CompleteTime),
            },
            FirmwareVersionAfter = reported.SoftwareVersion,
        };
        if (response.FirmwareVersionAfter.Length > 0) return response;

        var name = reported.DataModelRoot + "DeviceInfo.SoftwareVersion";
        var read = await runner.ExecuteAsync(request.Device, request.WorkflowId, new GetParameterValues([name]), cancellationToken).ConfigureAwait(false);
        if (read.Response is GetParameterValuesResponse values)
            response.FirmwareVersionAfter = values.ParameterList.FirstOrDefault(p => p.Name == name).Value ?? "";
        else
            // The outcome stands; only the version is unknown (the contract's empty string).
            Activity.Current?.AddEvent(new ActivityEvent("SoftwareVersion not read: " + (read.Failure?.FaultString ?? read.Response?.MethodName)));
        return response;
    }
}

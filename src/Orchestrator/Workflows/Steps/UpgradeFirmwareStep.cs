using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// The device downloads and installs a firmware image (CWMP Download 1 Firmware Upgrade Image / USP FirmwareImage
/// Download()), reboots into it and reports the transfer's end; the step succeeds when it runs the target version.
/// </summary>
public sealed class UpgradeFirmwareStep(WorkflowContextLoader loader, DeviceOperationCall operation, SouthboundCalls calls) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.UpgradeFirmware;

    /// <summary>
    /// The workflow id names the transfer (CWMP limits CommandKey to 32 characters): the same after a resume, so an
    /// adapter asked again after a restart recognises the transfer it already started (and its TransferComplete).
    /// </summary>
    public static string CommandKeyOf(Guid workflowId) => "fw" + workflowId.ToString("N")[..30];

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var summary = context.Summary;
        var span = Activity.Current;
        var before = summary.FirmwareVersion ?? "";
        span?.SetTag("cpe.firmware.version_before", before);
        if (await loader.FirmwareAsync(context, cancellationToken) is not { } download)
            return StepOutcome.Failed(WorkflowDecision.NoFirmwareTarget(summary.Manufacturer, summary.Model));
        var image = download.Image;
        span?.SetTag("cpe.firmware.version_target", image.Version);
        if (image.IsRunBy(before))
        {
            span?.SetTag("cpe.firmware.version_after", before);
            return StepOutcome.Done(new FirmwareCurrent(summary.SerialNumber, image.Version, TraceRef.Current));
        }

        var (adapter, device) = await operation.ForAsync(context, cancellationToken);
        var commandKey = CommandKeyOf(context.WorkflowId);
        var request = new DownloadFirmwareRequest
        {
            Device = device,
            WorkflowId = context.WorkflowId.ToString(),
            CommandKey = commandKey,
            Url = image.Url,
            Username = download.Username,
            Password = download.Password,
            FileSize = image.FileSize,
            TargetFileName = Uri.TryCreate(image.Url, UriKind.Absolute, out var uri) ? Path.GetFileName(uri.AbsolutePath) : "",
            Sha256 = image.Sha256,
        };
        var (response, failure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.DownloadFirmwareAsync(request, o));
        if (failure is not null) return StepOutcome.Failed(failure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));

        var transfer = response.Transfer;
        if (transfer is { FaultCode: not 0 })
        {
            span?.SetTag("cpe.firmware.fault_code", transfer.FaultCode);
            return StepOutcome.Failed(WorkflowDecision.FirmwareTransferFailed(transfer));
        }
        var after = DeviceText.Printable(response.FirmwareVersionAfter, 64);
        span?.SetTag("cpe.firmware.version_after", after);
        if (!image.IsRunBy(after)) return StepOutcome.Failed(WorkflowDecision.FirmwareNotInstalled(before, image.Version, after));

        // The push that follows renders for the firmware the device runs now (its model profile may differ by version).
        context.Profile = null;
        return StepOutcome.Done(new FirmwareUpgraded(
            summary.SerialNumber, before, after, commandKey,
            DeviceText.Printable(transfer?.StartTime ?? "", 64), DeviceText.Printable(transfer?.CompleteTime ?? "", 64), TraceRef.Current));
    }
}

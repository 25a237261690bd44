using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Firmware;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// The device downloads and installs a firmware image (CWMP Download 1 Firmware Upgrade Image / USP FirmwareImage
/// Download()), reboots into it and reports the transfer's end; the step succeeds when it runs the target version.
/// </summary>
public sealed class UpgradeFirmwareStep(WorkflowContextLoader loader, DeviceOperationCall operation, SouthboundCalls calls,
    FirmwareImageLinks links, FirmwareImageFolder folder) : IWorkflowStep
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
        if (!FirmwareImageLinks.IsOperatorUrl(image.Url) && await ServedAsync(request, summary.SerialNumber, image.Url, cancellationToken) is { } unavailable)
            return StepOutcome.Failed(unavailable);
        span?.SetTag("cpe.firmware.image_served", !FirmwareImageLinks.IsOperatorUrl(image.Url));
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

    /// <summary>
    /// An image of the orchestrator's own folder: the device gets a link with a token for it alone, and the size and
    /// checksum the folder knows when the target gave none. Null when it can be served, else why not.
    /// </summary>
    private async Task<StepFailureDetail?> ServedAsync(DownloadFirmwareRequest request, string serialNumber, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            request.Url = links.UrlFor(serialNumber, fileName);
        }
        catch (FirmwareImageUnavailableException e)
        {
            return WorkflowDecision.FirmwareImageUnavailable(e.Message);
        }
        var file = folder.Find(fileName)!;
        request.TargetFileName = fileName;
        request.Username = request.Password = ""; // the token is the credential
        if (request.FileSize == 0) request.FileSize = (ulong)file.Length;
        if (request.Sha256.Length == 0) request.Sha256 = await folder.Sha256Async(file, cancellationToken);
        return null;
    }
}

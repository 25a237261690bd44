using Grpc.Core;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// Which result a step's failure ends the workflow with. Steps and the southbound calls report what they saw; the
/// result is picked here only, so one failure is never spelled two ways.
/// </summary>
public sealed partial record WorkflowDecision
{
    public static StepFailureDetail WorkflowDeadlinePassed(WorkflowStep step) =>
        new(WorkflowResult.TimedOut, $"{step.Name()}: the workflow deadline passed");

    public static StepFailureDetail StepDeadlinePassed(WorkflowStep step) =>
        new(WorkflowResult.TimedOut, $"{step.Name()}: the step deadline passed");

    public static StepFailureDetail DeviceDidNotAnswer(WorkflowStep step) =>
        new(WorkflowResult.TimedOut, $"{step.Name()}: the device did not answer before the step deadline");

    /// <summary>A bug or an unusable answer inside the orchestrator ends the workflow with a reason, not left running.</summary>
    public static StepFailureDetail InternalError(WorkflowStep step, Exception e) =>
        new(InternalErrorResult(step), $"{step.Name()}: internal error ({e.GetType().Name})");

    /// <summary>The device is not the one in the inventory (or not in it at all).</summary>
    public static StepFailureDetail UnknownDevice(string reason) => new(WorkflowResult.UnknownDevice, reason);

    public static StepFailureDetail VerificationFailed(IReadOnlyList<VerificationMismatchRecord> mismatches)
    {
        var names = string.Join(", ", mismatches.Take(5).Select(m => m.Name));
        return new(
            WorkflowResult.VerificationFailed,
            $"verify: {mismatches.Count} parameter(s) read back differently: {names}{(mismatches.Count > 5 ? ", ..." : "")}",
            Mismatches: mismatches);
    }

    /// <summary>Null when the profile was found and rendered.</summary>
    public static StepFailureDetail? WithoutProfile(ProfileLookup lookup) => lookup.Missing switch
    {
        ProfileMissing.None => null,
        ProfileMissing.NoPlanAssigned => new(WorkflowResult.NoProfile, "fetch_profile: the device has no service plan in the inventory"),
        ProfileMissing.PlanNotFound => new(WorkflowResult.NoProfile, $"fetch_profile: service plan '{lookup.PlanName}' not found"),
        _ => new(WorkflowResult.NoProfile, $"fetch_profile: service plan '{lookup.PlanName}' cannot be rendered: {lookup.Detail}"),
    };

    /// <summary>upgrade_firmware with no image named and none in the device's model profile.</summary>
    public static StepFailureDetail NoFirmwareTarget(string? manufacturer, string? model) =>
        new(WorkflowResult.FirmwareUpgradeFailed,
            $"upgrade_firmware: no image named and no model profile with a firmware target for {DeviceText.Printable(manufacturer ?? "")} {DeviceText.Printable(model ?? "")}".TrimEnd());

    /// <summary>The target names a file of the image folder that the orchestrator cannot serve (no folder, no such file).</summary>
    public static StepFailureDetail FirmwareImageUnavailable(string why) =>
        new(WorkflowResult.FirmwareUpgradeFailed, $"upgrade_firmware: {DeviceText.Printable(why, 512)}");

    /// <summary>The device reported the transfer's end with a fault (CWMP TransferComplete FaultStruct 9010-9019, USP 7xxx).</summary>
    public static StepFailureDetail FirmwareTransferFailed(FirmwareTransfer transfer)
    {
        var faultString = DeviceText.Printable(transfer.FaultString, 1024);
        return new(WorkflowResult.FirmwareUpgradeFailed,
            $"upgrade_firmware: the transfer failed with fault {transfer.FaultCode} {faultString}".TrimEnd(),
            transfer.FaultCode, string.IsNullOrEmpty(faultString) ? null : faultString);
    }

    /// <summary>The transfer ended well but the device does not run the target: it came back with the old version (or another).</summary>
    public static StepFailureDetail FirmwareNotInstalled(string? before, string target, string after) =>
        new(WorkflowResult.FirmwareUpgradeFailed, after.Length == 0
            ? $"upgrade_firmware: the device did not report its version after the transfer (target {target})"
            : after == (before ?? "")
                ? $"upgrade_firmware: the device came back with the old version {after}, not {target}"
                : $"upgrade_firmware: the device came back with version {after}, not {target}");

    public static StepFailureDetail AdapterUnavailable(WorkflowStep step, RpcException e) =>
        new(WorkflowResult.DeviceUnreachable, $"{step.Name()}: adapter unavailable ({e.Status.Detail})");

    public static StepFailureDetail AdapterError(WorkflowStep step, RpcException e) =>
        new(FaultResult(step), $"{step.Name()}: adapter error {e.StatusCode} ({e.Status.Detail})");

    /// <summary>An adapter's StepFailure in the workflow's terms.</summary>
    public static StepFailureDetail FromAdapter(WorkflowStep step, StepFailure failure)
    {
        var faultString = DeviceText.Printable(failure.FaultString, 1024);
        var result = failure.Kind switch
        {
            FailureKind.IdentityMismatch => WorkflowResult.UnknownDevice,
            // Authenticate reached the device: losing it during the upgrade (its reboot into the image) is the upgrade failing.
            FailureKind.Unreachable or FailureKind.Timeout when step == WorkflowStep.UpgradeFirmware => WorkflowResult.FirmwareUpgradeFailed,
            FailureKind.Unreachable => WorkflowResult.DeviceUnreachable,
            FailureKind.Timeout => WorkflowResult.TimedOut,
            _ => FaultResult(step),
        };
        var reason = failure.FaultCode != 0
            ? $"{step.Name()}: device fault {failure.FaultCode} {faultString}".TrimEnd()
            : $"{step.Name()}: {Describe(failure.Kind)}{(string.IsNullOrEmpty(faultString) ? "" : $" ({faultString})")}";
        return new StepFailureDetail(
            result,
            reason,
            failure.FaultCode,
            string.IsNullOrEmpty(faultString) ? null : faultString,
            failure.ParameterFaults.Take(100).Select(f => new ParameterFaultRecord(DeviceText.Printable(f.Name), f.FaultCode, DeviceText.Printable(f.FaultString))).ToList());
    }

    /// <summary>A device (or its adapter) refused this step. Fetch_profile never reaches a device.</summary>
    private static WorkflowResult FaultResult(WorkflowStep step) => step switch
    {
        WorkflowStep.PushConfig => WorkflowResult.ConfigPushFailed,
        WorkflowStep.Verify => WorkflowResult.VerificationFailed,
        // An ad-hoc write refused is a refused push: same result, and the same per-parameter faults in the report.
        WorkflowStep.SetParameters => WorkflowResult.ConfigPushFailed,
        WorkflowStep.Reboot or WorkflowStep.FactoryReset or WorkflowStep.GetParameters => WorkflowResult.OperationFailed,
        WorkflowStep.UpgradeFirmware => WorkflowResult.FirmwareUpgradeFailed,
        _ => WorkflowResult.DeviceUnreachable,
    };

    /// <summary>This step failed inside the orchestrator (a bug, a refusing store): fetch_profile's failure is the profile's.</summary>
    private static WorkflowResult InternalErrorResult(WorkflowStep step) => step switch
    {
        WorkflowStep.FetchProfile => WorkflowResult.NoProfile,
        _ => FaultResult(step),
    };

    private static string Describe(FailureKind kind) => kind switch
    {
        FailureKind.Unreachable => "device unreachable",
        FailureKind.Timeout => "device did not answer in time",
        FailureKind.IdentityMismatch => "device identity does not match",
        FailureKind.DeviceFault => "device fault",
        FailureKind.ProtocolError => "protocol error",
        _ => "failed",
    };
}

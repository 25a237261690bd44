namespace Provisioning.Orchestrator.Workflows;

/// <summary>How a workflow ended. The wire names (snake_case) are what analysts and metrics see.</summary>
public enum WorkflowResult
{
    Success,
    UnknownDevice,
    NoProfile,
    ConfigPushFailed,
    VerificationFailed,
    DeviceUnreachable,
    TimedOut,
    Cancelled,
    /// <summary>The device refused or failed a reboot, factory reset or parameter read.</summary>
    OperationFailed,
    /// <summary>The firmware transfer failed (its fault code kept) or the device came back with another version than the target.</summary>
    FirmwareUpgradeFailed,
}

public enum WorkflowStep
{
    Authenticate,
    FetchProfile,
    PushConfig,
    Verify,
    Reboot,
    FactoryReset,
    GetParameters,
    SetParameters,
    UpgradeFirmware,
}

public enum WorkflowStatus
{
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public enum WorkflowTrigger
{
    Oss,
    ZeroTouch,
    Retry,
    /// <summary>A provisioned device came back with factory settings (Devices:FactoryReset=reprovision).</summary>
    FactoryReset,
    /// <summary>A wave of a rollout campaign started it (the workflow names the campaign).</summary>
    Campaign,
}

/// <summary>
/// The one spelling of results and steps outside the store (logs, metric tags, spans, failure reasons); it is the API's
/// enum names lowercased, which is how the CLI spells them (WorkflowNamesTests keeps the two one). Stored events keep
/// the C# names (Marten's EnumStorage.AsString), so existing streams replay.
/// </summary>
public static class WorkflowNames
{
    public static string Name(this WorkflowResult result) => result switch
    {
        WorkflowResult.Success => "success",
        WorkflowResult.UnknownDevice => "unknown_device",
        WorkflowResult.NoProfile => "no_profile",
        WorkflowResult.ConfigPushFailed => "config_push_failed",
        WorkflowResult.VerificationFailed => "verification_failed",
        WorkflowResult.DeviceUnreachable => "device_unreachable",
        WorkflowResult.TimedOut => "timed_out",
        WorkflowResult.Cancelled => "cancelled",
        WorkflowResult.OperationFailed => "operation_failed",
        WorkflowResult.FirmwareUpgradeFailed => "firmware_upgrade_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    public static string Name(this WorkflowStep step) => step switch
    {
        WorkflowStep.Authenticate => "authenticate",
        WorkflowStep.FetchProfile => "fetch_profile",
        WorkflowStep.PushConfig => "push_config",
        WorkflowStep.Verify => "verify",
        WorkflowStep.Reboot => "reboot",
        WorkflowStep.FactoryReset => "factory_reset",
        WorkflowStep.GetParameters => "get_parameters",
        WorkflowStep.SetParameters => "set_parameters",
        WorkflowStep.UpgradeFirmware => "upgrade_firmware",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };
}

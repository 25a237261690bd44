namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// What a workflow does. Provision is the default (0), so streams stored before kinds existed read as provisioning.
/// </summary>
public enum WorkflowKind
{
    Provision,
    Reboot,
    FactoryReset,
    GetParameters,
    SetParameters,
    UpgradeFirmware,
}

/// <summary>The steps of each kind: every kind reaches the device with authenticate first, then does its own work.</summary>
public static class WorkflowKinds
{
    public static string Name(this WorkflowKind kind) => kind switch
    {
        WorkflowKind.Provision => "provision",
        WorkflowKind.Reboot => "reboot",
        WorkflowKind.FactoryReset => "factory_reset",
        WorkflowKind.GetParameters => "get_parameters",
        WorkflowKind.SetParameters => "set_parameters",
        WorkflowKind.UpgradeFirmware => "upgrade_firmware",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The step after authenticate.</summary>
    public static WorkflowStep AfterAuthenticate(this WorkflowKind kind) => kind switch
    {
        WorkflowKind.Reboot => WorkflowStep.Reboot,
        WorkflowKind.FactoryReset => WorkflowStep.FactoryReset,
        WorkflowKind.GetParameters => WorkflowStep.GetParameters,
        WorkflowKind.SetParameters => WorkflowStep.SetParameters,
        WorkflowKind.UpgradeFirmware => WorkflowStep.UpgradeFirmware,
        _ => WorkflowStep.FetchProfile,
    };

    /// <summary>The step whose success ends the workflow in success.</summary>
    public static WorkflowStep LastStep(this WorkflowKind kind) => kind == WorkflowKind.Provision ? WorkflowStep.Verify : kind.AfterAuthenticate();
}


namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>
/// A workflow was accepted: the first event of every workflow stream. <see cref="Kind"/> says what it does (absent in
/// streams stored before kinds: provisioning); an operation's arguments go with it.
/// </summary>
public sealed record ProvisioningRequested(
    DeviceDescriptor Device,
    string? RequestId,
    WorkflowTrigger Trigger,
    string? ServicePlanOverride,
    Guid? RetryOf,
    IReadOnlyList<string> EventCodes,
    DateTimeOffset Deadline,
    TraceRef Trace,
    WorkflowKind Kind = WorkflowKind.Provision,
    // get_parameters: what to read.
    IReadOnlyList<string>? ParameterNames = null,
    // set_parameters: what to write; a secret's value is redacted and kept sealed (OperationSecrets) for the step.
    IReadOnlyList<RequestedParameter>? Parameters = null,
    // The rollout campaign whose wave started it.
    Guid? CampaignId = null,
    // upgrade_firmware: the image the request named (null: the model profile's target, looked up by the step).
    FirmwareImage? Firmware = null) : IWorkflowEvent
{
    public string SerialNumber => Device.SerialNumber;
}

/// <summary>A value to write. <paramref name="Sealed"/> holds a secret's value encrypted at rest; <paramref name="Value"/> is then redacted.</summary>
public sealed record RequestedParameter(string Name, string Value, string Type, bool Secret, string? Sealed = null);

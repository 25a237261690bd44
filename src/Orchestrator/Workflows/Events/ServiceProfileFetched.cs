namespace Provisioning.Orchestrator.Workflows.Events;

public sealed record ServiceProfileFetched(
    string SerialNumber,
    string ServicePlan,
    int ParameterCount,
    bool HasVoip,
    bool HasIptv,
    IReadOnlyList<string> WifiBands,
    TraceRef Trace,
    // The model profile's firmware version when the device reports another: upgrade_firmware runs before push_config,
    // and the workflow may run until Deadline (its own deadline plus the upgrade's step).
    string? FirmwareTarget = null,
    DateTimeOffset? Deadline = null) : IWorkflowEvent;

namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>
/// The workflow ended without success. Carries everything an analyst needs to know why (step, fault,
/// per-parameter faults, mismatches) and the device's model/firmware/plan for the failure statistics.
/// </summary>
public sealed record ProvisioningFailed(
    string SerialNumber,
    WorkflowResult Result,
    WorkflowStep? Step,
    string Reason,
    uint FaultCode,
    string? FaultString,
    IReadOnlyList<ParameterFaultRecord> ParameterFaults,
    IReadOnlyList<VerificationMismatchRecord> Mismatches,
    long DurationMs,
    string? Model,
    string? FirmwareVersion,
    string? ServicePlan,
    TraceRef Trace) : IWorkflowEvent;

public sealed record ParameterFaultRecord(string Name, uint FaultCode, string FaultString);

public sealed record VerificationMismatchRecord(string Name, string Expected, string Actual);

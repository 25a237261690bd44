using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>What a step produced: the event that records its success, or the failure that ends the workflow.</summary>
public sealed record StepOutcome(IWorkflowEvent? Completed, StepFailureDetail? Failure)
{
    public static StepOutcome Done(IWorkflowEvent completed) => new(completed, null);
    public static StepOutcome Failed(StepFailureDetail failure) => new(null, failure);
}

public sealed record StepFailureDetail(
    WorkflowResult Result,
    string Reason,
    uint FaultCode = 0,
    string? FaultString = null,
    IReadOnlyList<ParameterFaultRecord>? ParameterFaults = null,
    IReadOnlyList<VerificationMismatchRecord>? Mismatches = null);

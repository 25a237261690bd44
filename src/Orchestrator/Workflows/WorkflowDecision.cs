using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// What a workflow does next: the events to append and the workflow as they leave it (<see cref="Decided"/>, folded by
/// the summary projection, so its result is the one the store will show). Every write of a workflow stream is decided
/// here, and so is every terminal result (see the failures part), so group commit and analysts have one place to read.
/// </summary>
public sealed partial record WorkflowDecision(IReadOnlyList<IWorkflowEvent> Events, WorkflowSummary Decided)
{
    public WorkflowResult? Result => Decided.Result;

    /// <summary>A new workflow: its first event and the summary it projects to.</summary>
    public static WorkflowDecision Accept(Guid workflowId, StartRequest request, DateTimeOffset deadline, TraceRef root)
    {
        var requested = new ProvisioningRequested(
            request.Device, request.RequestId, request.Trigger, request.ServicePlanOverride, request.RetryOf,
            request.EventCodes ?? [], deadline, root, request.Kind, request.ParameterNames, request.Parameters, request.CampaignId, request.Firmware);
        return new([requested], WorkflowSummaryProjection.Start(workflowId, requested, DateTimeOffset.UtcNow));
    }

    /// <summary>An instance picks up a running workflow again (after a restart or a takeover).</summary>
    public static WorkflowDecision Resume(WorkflowSummary summary, string instance) => Folded(summary,
        new WorkflowResumed(summary.SerialNumber, summary.CurrentStep ?? WorkflowStep.Authenticate, instance,
            new TraceRef(summary.TraceId, summary.RootSpanId), TraceRef.Current));

    /// <summary>
    /// After a step: its event (and success, after the kind's last step), or the failure that ends the workflow with the result the
    /// failure carries. <paramref name="planName"/> is the plan the failure is counted under when none was fetched.
    /// </summary>
    public static WorkflowDecision After(WorkflowStep step, StepOutcome outcome, WorkflowSummary summary, string planName)
    {
        var duration = DurationMs(summary);
        if (outcome.Failure is { } failure)
        {
            return Folded(summary, new ProvisioningFailed(
                summary.SerialNumber, failure.Result, step, failure.Reason, failure.FaultCode, failure.FaultString,
                failure.ParameterFaults ?? [], failure.Mismatches ?? [], duration,
                summary.Model, summary.FirmwareVersion, summary.ServicePlan ?? planName,
                TraceRef.Current));
        }
        return step == summary.Kind.LastStep()
            ? Folded(summary, outcome.Completed!, new ProvisioningSucceeded(summary.SerialNumber, duration, TraceRef.Current))
            : Folded(summary, outcome.Completed!);
    }

    /// <summary>An operator's cancel of a running workflow.</summary>
    public static WorkflowDecision Cancel(WorkflowSummary summary, string reason, string cancelledBy) =>
        Folded(summary, new ProvisioningCancelled(summary.SerialNumber, reason, cancelledBy, DurationMs(summary), TraceRef.Current));

    /// <summary>
    /// The store refuses the events for good (it would refuse them again after a resume): end the workflow at its stored
    /// step with a failure that carries nothing but its own words, so it does not run forever.
    /// </summary>
    public static WorkflowDecision Refused(WorkflowSummary stored, Exception refusal)
    {
        var step = stored.CurrentStep ?? WorkflowStep.Authenticate;
        return Folded(stored, new ProvisioningFailed(stored.SerialNumber, InternalErrorResult(step), step,
            $"{step.Name()}: internal error: the store refused this step's events ({refusal.GetType().Name})", 0, null, [], [],
            DurationMs(stored), null, null, null, TraceRef.Current));
    }

    private static WorkflowDecision Folded(WorkflowSummary summary, params IWorkflowEvent[] events) =>
        new(events, WorkflowSummaryProjection.Fold(summary, events, DateTimeOffset.UtcNow));

    private static long DurationMs(WorkflowSummary summary) => (long)(DateTimeOffset.UtcNow - summary.CreatedAt).TotalMilliseconds;
}

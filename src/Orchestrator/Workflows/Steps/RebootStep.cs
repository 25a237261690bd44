using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>The device restarts (CWMP Reboot / USP Operate Device.Reboot()); the workflow ends when it has accepted.</summary>
public sealed class RebootStep(DeviceOperationCall operation, SouthboundCalls calls) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.Reboot;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var (adapter, device) = await operation.ForAsync(context, cancellationToken);
        // The workflow id names the reboot: the CWMP CommandKey comes back in the "M Reboot" Inform.
        var commandKey = PushConfigStep.ParameterKeyOf(context.WorkflowId);
        var request = new RebootRequest { Device = device, WorkflowId = context.WorkflowId.ToString(), CommandKey = commandKey };
        var (response, failure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.RebootAsync(request, o));
        if (failure is not null) return StepOutcome.Failed(failure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));
        return StepOutcome.Done(new RebootAccepted(context.Summary.SerialNumber, commandKey, TraceRef.Current));
    }
}

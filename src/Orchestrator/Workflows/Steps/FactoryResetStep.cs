using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>The device goes back to factory settings (CWMP FactoryReset / USP Operate Device.FactoryReset()).</summary>
public sealed class FactoryResetStep(DeviceOperationCall operation, SouthboundCalls calls) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.FactoryReset;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var (adapter, device) = await operation.ForAsync(context, cancellationToken);
        var request = new FactoryResetRequest
        {
            Device = device, WorkflowId = context.WorkflowId.ToString(), CommandKey = PushConfigStep.ParameterKeyOf(context.WorkflowId),
        };
        var (response, failure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.FactoryResetAsync(request, o));
        if (failure is not null) return StepOutcome.Failed(failure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));
        return StepOutcome.Done(new FactoryResetAccepted(context.Summary.SerialNumber, TraceRef.Current));
    }
}

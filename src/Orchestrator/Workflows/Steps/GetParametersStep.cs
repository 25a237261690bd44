using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>A live read (CWMP GetParameterValues / USP Get); the values go into the event, secrets redacted.</summary>
public sealed class GetParametersStep(DeviceOperationCall operation, SouthboundCalls calls) : IWorkflowStep
{
    /// <summary>Bounds what one read stores in an event, whatever a partial path expands to on the device.</summary>
    public const int MaxValues = 1000;

    public WorkflowStep Step => WorkflowStep.GetParameters;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var (adapter, device) = await operation.ForAsync(context, cancellationToken);
        var request = new ReadParametersRequest { Device = device, WorkflowId = context.WorkflowId.ToString() };
        request.ParameterNames.AddRange(context.Summary.ParameterNames);
        Activity.Current?.SetTag("cpe.get.param_count", request.ParameterNames.Count);
        var (response, failure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.ReadParametersAsync(request, o));
        if (failure is not null) return StepOutcome.Failed(failure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));

        var values = response.Values.Take(MaxValues).Select(v =>
        {
            var name = DeviceText.Printable(v.Name, 256);
            return OperationSecrets.Shown(name, DeviceText.Printable(v.Value, 4096), v.Type.ToString(), v.Secret || OperationSecrets.IsSecretName(name));
        }).ToList();
        Activity.Current?.SetTag("cpe.get.value_count", values.Count);
        return StepOutcome.Done(new ParametersRead(context.Summary.SerialNumber, values, TraceRef.Current));
    }
}

using System.Diagnostics;
using Marten;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>An ad-hoc write (CWMP SetParameterValues with the workflow's ParameterKey / USP Set); records what was written.</summary>
public sealed class SetParametersStep(DeviceOperationCall operation, SouthboundCalls calls, OperationSecrets secrets, IDocumentStore store) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.SetParameters;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        // The summary shows secrets redacted: the sealed values are in the first event only.
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(context.WorkflowId, version: 1, token: cancellationToken);
        var requested = events.Select(e => e.Data).OfType<ProvisioningRequested>().FirstOrDefault()?.Parameters ?? [];

        var (adapter, device) = await operation.ForAsync(context, cancellationToken);
        var parameterKey = PushConfigStep.ParameterKeyOf(context.WorkflowId);
        var request = new WriteParametersRequest { Device = device, WorkflowId = context.WorkflowId.ToString(), ParameterKey = parameterKey };
        request.Parameters.AddRange(requested.Select(secrets.Open));
        Activity.Current?.SetTag("cpe.set.param_count", request.Parameters.Count);
        var (response, failure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.WriteParametersAsync(request, o));
        if (failure is not null) return StepOutcome.Failed(failure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));
        return StepOutcome.Done(new ParametersWritten(context.Summary.SerialNumber, parameterKey, response.ApplyStatus,
            requested.Select(p => OperationSecrets.Shown(p.Name, p.Value, p.Type, p.Secret)).ToList(), TraceRef.Current));
    }
}

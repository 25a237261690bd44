using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.ServicePlans;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>Reads the pushed parameters back and compares them with the profile.</summary>
public sealed class VerifyStep(WorkflowContextLoader loader, DeviceAdapters adapters, SouthboundCalls calls) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.Verify;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var lookup = await loader.ProfileAsync(context, cancellationToken);
        if (WorkflowDecision.WithoutProfile(lookup) is { } failure) return StepOutcome.Failed(failure);
        var rendered = lookup.Profile!;

        var target = WorkflowContextLoader.Target(context);
        var request = new VerifyRequest { Device = SouthboundCalls.ToRef(target), WorkflowId = context.WorkflowId.ToString() };
        request.ParameterNames.AddRange(rendered.Parameters.Select(p => p.Name));
        request.Instances.AddRange(SouthboundCalls.ToWire(context.Summary.CreatedInstances));

        var adapter = adapters.For(target.Protocol, await loader.RouteAsync(context, cancellationToken));
        var (response, callFailure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.VerifyAsync(request, o));
        if (callFailure is not null) return StepOutcome.Failed(callFailure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));

        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in response.Values) actual[value.Name] = value.Value;
        var mismatches = VerificationComparer.Compare(rendered.Parameters, actual);
        Activity.Current?.SetTag("cpe.verify.mismatches", mismatches.Count);
        if (mismatches.Count > 0)
        {
            OrchestratorTelemetry.VerifyMismatches.Add(mismatches.Count);
            return StepOutcome.Failed(WorkflowDecision.VerificationFailed(mismatches));
        }
        return StepOutcome.Done(new ConfigVerified(context.Summary.SerialNumber, rendered.Parameters.Count, TraceRef.Current));
    }
}

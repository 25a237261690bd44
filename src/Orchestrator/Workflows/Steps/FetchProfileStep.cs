using System.Diagnostics;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>The customer's service profile from the BSS, rendered for the device's data model.</summary>
public sealed class FetchProfileStep(WorkflowContextLoader loader) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.FetchProfile;

    public bool ReachesDevice => false;

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var device = await loader.DeviceAsync(context, cancellationToken);
        Activity.Current?.SetTag("cpe.customer_id", device?.CustomerId);
        Activity.Current?.SetTag("cpe.location_id", device?.LocationId);
        Activity.Current?.SetTag("cpe.service_plan", WorkflowContextLoader.PlanName(context));
        var lookup = await loader.ProfileAsync(context, cancellationToken);
        if (WorkflowDecision.WithoutProfile(lookup) is { } failure) return StepOutcome.Failed(failure);
        var rendered = lookup.Profile!;

        Activity.Current?.SetTag("cpe.rendered.parameter_count", rendered.Parameters.Count);
        return StepOutcome.Done(new ServiceProfileFetched(
            context.Summary.SerialNumber,
            rendered.PlanName,
            rendered.Parameters.Count,
            rendered.HasVoip,
            rendered.HasIptv,
            rendered.WifiBands,
            TraceRef.Current));
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// The customer's service profile from the BSS, rendered for the device's data model; and whether the device's model
/// profile wants another firmware than the one it reported (then upgrade_firmware runs before push_config).
/// </summary>
public sealed class FetchProfileStep(WorkflowContextLoader loader, IOptions<WorkflowOptions> options) : IWorkflowStep
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

        // Equal versions: no step at all. Another version (older or not: the profile names what the model should run): upgrade.
        var firmware = await loader.FirmwareAsync(context, cancellationToken);
        var due = firmware is { } target && !target.Image.IsRunBy(context.Summary.FirmwareVersion) ? target.Image.Version : null;
        Activity.Current?.SetTag("cpe.firmware.version_target", firmware?.Image.Version);
        Activity.Current?.SetTag("cpe.firmware.upgrade_due", due is not null);

        Activity.Current?.SetTag("cpe.rendered.parameter_count", rendered.Parameters.Count);
        return StepOutcome.Done(new ServiceProfileFetched(
            context.Summary.SerialNumber,
            rendered.PlanName,
            rendered.Parameters.Count,
            rendered.HasVoip,
            rendered.HasIptv,
            rendered.WifiBands,
            TraceRef.Current,
            due,
            // The upgrade's step comes on top of the workflow's own time.
            due is null ? null : context.Summary.Deadline + options.Value.UpgradeFirmwareTimeout));
    }
}

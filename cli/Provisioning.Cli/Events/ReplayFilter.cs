using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Events;

/// <summary>
/// Decides event by event, in stream order, whether an event is kept. Events don't all carry the model,
/// firmware, plan or result, so the filter keeps what each workflow's events revealed so far
/// (DeviceAuthenticated: model/firmware; ServiceProfileFetched: plan; the terminal event: result,
/// fault codes, and model/firmware/plan again). An event is kept once its workflow is known to match:
/// with --model that is from DeviceAuthenticated on; with --result or --fault-code it is the terminal
/// event (which carries the reason, faults and mismatches).
/// The decision depends only on the events before it, so replaying the same range again decides the same.
/// </summary>
public sealed class ReplayFilter(ReplayCriteria criteria)
{
    private readonly Dictionary<string, WorkflowFacts> _workflows = new(StringComparer.Ordinal);

    /// <summary>Workflows currently tracked (bounded by the workflows in flight in the stream).</summary>
    public int TrackedWorkflows => _workflows.Count;

    public bool Accept(ProvisioningEvent e)
    {
        var facts = criteria.NeedsWorkflowState ? Learn(e) : null;
        if (criteria.Since is { } since && (e.OccurredAt is null || e.OccurredAt.ToDateTimeOffset() < since)) return false;
        if (criteria.Until is { } until && (e.OccurredAt is null || e.OccurredAt.ToDateTimeOffset() > until)) return false;
        if (criteria.Step is { } step && e.Step != step && !(e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ProvisioningFailed && e.ProvisioningFailed.Step == step))
            return false;
        if (facts is null) return true;
        return Matches(criteria.Model, facts.Model)
            && Matches(criteria.Firmware, facts.Firmware)
            && Matches(criteria.Plan, facts.Plan)
            && (criteria.Result is not { } result || facts.Result == result)
            && (criteria.FaultCode is not { } fault || facts.FaultCodes.Contains(fault));
    }

    private static bool Matches(string? wanted, string? known) =>
        wanted is null || (known is not null && string.Equals(wanted, known, StringComparison.OrdinalIgnoreCase));

    private WorkflowFacts Learn(ProvisioningEvent e)
    {
        if (!_workflows.TryGetValue(e.WorkflowId, out var facts))
        {
            facts = new WorkflowFacts();
            _workflows[e.WorkflowId] = facts;
        }
        switch (e.PayloadCase)
        {
            case ProvisioningEvent.PayloadOneofCase.ProvisioningRequested when e.ProvisioningRequested.ServicePlanOverride.Length > 0:
                facts.Plan = e.ProvisioningRequested.ServicePlanOverride;
                break;
            case ProvisioningEvent.PayloadOneofCase.DeviceAuthenticated:
                facts.Model = e.DeviceAuthenticated.Model;
                facts.Firmware = e.DeviceAuthenticated.FirmwareVersion;
                break;
            case ProvisioningEvent.PayloadOneofCase.ServiceProfileFetched:
                facts.Plan = e.ServiceProfileFetched.ServicePlan;
                break;
            case ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded:
                Finish(e.WorkflowId, facts, WorkflowResult.Success);
                break;
            case ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled:
                Finish(e.WorkflowId, facts, WorkflowResult.Cancelled);
                break;
            case ProvisioningEvent.PayloadOneofCase.ProvisioningFailed:
                var failed = e.ProvisioningFailed;
                if (failed.Model.Length > 0) facts.Model = failed.Model;
                if (failed.FirmwareVersion.Length > 0) facts.Firmware = failed.FirmwareVersion;
                if (failed.ServicePlan.Length > 0) facts.Plan = failed.ServicePlan;
                if (failed.FaultCode != 0) facts.FaultCodes.Add(failed.FaultCode);
                foreach (var fault in failed.ParameterFaults) facts.FaultCodes.Add(fault.FaultCode);
                Finish(e.WorkflowId, facts, failed.Result);
                break;
        }
        return facts;
    }

    // The terminal event is decided with the facts; nothing follows it, so stop tracking the workflow.
    private void Finish(string workflowId, WorkflowFacts facts, WorkflowResult result)
    {
        facts.Result = result;
        _workflows.Remove(workflowId);
    }

    private sealed class WorkflowFacts
    {
        public string? Model { get; set; }
        public string? Firmware { get; set; }
        public string? Plan { get; set; }
        public WorkflowResult? Result { get; set; }
        public HashSet<uint> FaultCodes { get; } = [];
    }
}

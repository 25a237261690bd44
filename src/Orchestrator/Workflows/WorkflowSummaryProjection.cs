using JasperFx.Events;
using Marten.Events.Aggregation;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// The one fold of a workflow stream into its <see cref="WorkflowSummary"/>: Marten runs <see cref="Evolve"/> inline
/// (same transaction as the events), and the driver runs the same <see cref="Fold"/> on the events it has just
/// decided, so it does not read back after every step what it has just written.
/// </summary>
public partial class WorkflowSummaryProjection : SingleStreamProjection<WorkflowSummary, Guid>
{
    private static readonly WorkflowSummaryProjection Instance = new();

    /// <summary>The summary with <paramref name="appended"/> folded in, as the store will project them.</summary>
    public static WorkflowSummary Fold(WorkflowSummary summary, IReadOnlyList<IWorkflowEvent> appended, DateTimeOffset at)
    {
        var version = summary.Version;
        foreach (var data in appended)
        {
            version++;
            summary = Instance.Evolve(summary, summary.Id, Stored(data, summary.Id, version, at)) ?? summary;
        }
        summary.Version = version;
        return summary;
    }

    /// <summary>The summary the first event of a new stream projects to.</summary>
    public static WorkflowSummary Start(Guid workflowId, ProvisioningRequested requested, DateTimeOffset at)
    {
        var summary = Instance.Evolve(null, workflowId, Stored(requested, workflowId, 1, at))!;
        summary.Version = 1;
        return summary;
    }

    // Only the first event creates the summary; an event type with no case here (none today) leaves it as it is.
    public override WorkflowSummary? Evolve(WorkflowSummary? snapshot, Guid id, IEvent e) => (snapshot, e.Data) switch
    {
        (null, ProvisioningRequested requested) => Requested(e, requested),
        (null, _) => null,
        ({ } s, DeviceAuthenticated authenticated) => s with
        {
            CurrentStep = s.Kind.AfterAuthenticate(),
            Manufacturer = authenticated.Manufacturer,
            Model = authenticated.Model,
            FirmwareVersion = authenticated.FirmwareVersion,
            DataModelRoot = authenticated.DataModelRoot,
            CustomerId = authenticated.CustomerId,
            LocationId = authenticated.LocationId,
            UpdatedAt = EventTime.Stored(e.Timestamp),
        },
        ({ } s, ServiceProfileFetched fetched) => s with
        {
            // An upgrade due goes before the push, so the configuration lands on the firmware that keeps it.
            CurrentStep = string.IsNullOrEmpty(fetched.FirmwareTarget) ? WorkflowStep.PushConfig : WorkflowStep.UpgradeFirmware,
            FirmwareTarget = string.IsNullOrEmpty(fetched.FirmwareTarget) ? null : fetched.FirmwareTarget,
            Deadline = fetched.Deadline ?? s.Deadline,
            ServicePlan = fetched.ServicePlan,
            UpdatedAt = EventTime.Stored(e.Timestamp),
        },
        ({ } s, FirmwareUpgraded upgraded) => s with
        {
            // Provisioning goes on to the push; an operation ends here (its success follows).
            CurrentStep = s.Kind == WorkflowKind.Provision ? WorkflowStep.PushConfig : s.CurrentStep,
            FirmwareVersion = upgraded.ToVersion,
            UpdatedAt = EventTime.Stored(e.Timestamp),
        },
        ({ } s, FirmwareCurrent) => s with { UpdatedAt = EventTime.Stored(e.Timestamp) },
        ({ } s, ConfigPushed pushed) => s with
        {
            CurrentStep = WorkflowStep.Verify,
            CreatedInstances = pushed.CreatedInstances ?? [],
            UpdatedAt = EventTime.Stored(e.Timestamp),
        },
        ({ } s, ConfigVerified) => s with { UpdatedAt = EventTime.Stored(e.Timestamp) },
        ({ } s, RebootAccepted or FactoryResetAccepted) => s with { UpdatedAt = EventTime.Stored(e.Timestamp) },
        ({ } s, ParametersRead read) => s with { Parameters = read.Values, UpdatedAt = EventTime.Stored(e.Timestamp) },
        ({ } s, ParametersWritten written) => s with { Parameters = written.Parameters, UpdatedAt = EventTime.Stored(e.Timestamp) },
        ({ } s, WorkflowResumed) => s with
        {
            Resumptions = s.Resumptions + 1,
            UpdatedAt = EventTime.Stored(e.Timestamp),
        },
        ({ } s, ProvisioningSucceeded) => Ended(s, e, WorkflowStatus.Succeeded, WorkflowResult.Success),
        ({ } s, ProvisioningFailed failed) => Ended(s, e, WorkflowStatus.Failed, failed.Result) with
        {
            FailedStep = failed.Step,
            FailureReason = failed.Reason,
            FaultCode = failed.FaultCode,
            Mismatches = failed.Mismatches,
            ParameterFaults = failed.ParameterFaults,
        },
        ({ } s, ProvisioningCancelled cancelled) => Ended(s, e, WorkflowStatus.Cancelled, WorkflowResult.Cancelled) with
        {
            FailedStep = s.CurrentStep,
            FailureReason = cancelled.Reason,
        },
        ({ } s, _) => s,
    };

    /// <summary>What every terminal event sets: the status, the result, no current step, the time it ended.</summary>
    private static WorkflowSummary Ended(WorkflowSummary s, IEvent e, WorkflowStatus status, WorkflowResult result) => s with
    {
        Status = status,
        Result = result,
        CurrentStep = null,
        UpdatedAt = EventTime.Stored(e.Timestamp),
        CompletedAt = EventTime.Stored(e.Timestamp),
    };

    private static WorkflowSummary Requested(IEvent e, ProvisioningRequested requested) => new()
    {
        Id = e.StreamId,
        SerialNumber = requested.Device.SerialNumber,
        Oui = requested.Device.Oui,
        ProductClass = requested.Device.ProductClass,
        Protocol = requested.Device.Protocol,
        EndpointId = requested.Device.EndpointId,
        Status = WorkflowStatus.Running,
        CurrentStep = WorkflowStep.Authenticate,
        ServicePlanOverride = requested.ServicePlanOverride,
        RequestId = requested.RequestId,
        Trigger = requested.Trigger,
        RetryOf = requested.RetryOf,
        CampaignId = requested.CampaignId,
        TraceId = requested.Trace.TraceId,
        RootSpanId = requested.Trace.SpanId,
        CreatedAt = EventTime.Stored(e.Timestamp),
        UpdatedAt = EventTime.Stored(e.Timestamp),
        Deadline = requested.Deadline,
        EventCodes = requested.EventCodes,
        Kind = requested.Kind,
        ParameterNames = requested.ParameterNames ?? [],
        Parameters = requested.Parameters?.Select(p => new PushedParameter(p.Name, p.Value, p.Type, p.Secret)).ToList() ?? [],
        Firmware = requested.Firmware,
    };

    private static Event<T> Stored<T>(T data, Guid streamId, long version, DateTimeOffset at) where T : notnull =>
        new(data) { StreamId = streamId, Version = version, Timestamp = at };
}

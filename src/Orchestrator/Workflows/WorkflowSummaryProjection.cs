using JasperFx.Events;
using Marten.Events.Aggregation;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>Inline projection of a workflow stream into its <see cref="WorkflowSummary"/>.</summary>
public partial class WorkflowSummaryProjection : SingleStreamProjection<WorkflowSummary, Guid>
{
    public WorkflowSummary Create(IEvent<ProvisioningRequested> e) => new()
    {
        Id = e.StreamId,
        SerialNumber = e.Data.Device.SerialNumber,
        Oui = e.Data.Device.Oui,
        ProductClass = e.Data.Device.ProductClass,
        Protocol = e.Data.Device.Protocol,
        EndpointId = e.Data.Device.EndpointId,
        Status = WorkflowStatus.Running,
        CurrentStep = WorkflowStep.Authenticate,
        ServicePlanOverride = e.Data.ServicePlanOverride,
        RequestId = e.Data.RequestId,
        Trigger = e.Data.Trigger,
        RetryOf = e.Data.RetryOf,
        TraceId = e.Data.Trace.TraceId,
        RootSpanId = e.Data.Trace.SpanId,
        CreatedAt = EventTime.Stored(e.Timestamp),
        UpdatedAt = EventTime.Stored(e.Timestamp),
        Deadline = e.Data.Deadline,
        EventCodes = e.Data.EventCodes,
    };

    public WorkflowSummary Apply(IEvent<DeviceAuthenticated> e, WorkflowSummary s) => s with
    {
        CurrentStep = WorkflowStep.FetchProfile,
        Manufacturer = e.Data.Manufacturer,
        Model = e.Data.Model,
        FirmwareVersion = e.Data.FirmwareVersion,
        DataModelRoot = e.Data.DataModelRoot,
        CustomerId = e.Data.CustomerId,
        LocationId = e.Data.LocationId,
        UpdatedAt = EventTime.Stored(e.Timestamp),
    };

    public WorkflowSummary Apply(IEvent<ServiceProfileFetched> e, WorkflowSummary s) => s with
    {
        CurrentStep = WorkflowStep.PushConfig,
        ServicePlan = e.Data.ServicePlan,
        UpdatedAt = EventTime.Stored(e.Timestamp),
    };

    public WorkflowSummary Apply(IEvent<ConfigPushed> e, WorkflowSummary s) => s with
    {
        CurrentStep = WorkflowStep.Verify,
        CreatedInstances = e.Data.CreatedInstances ?? [],
        UpdatedAt = EventTime.Stored(e.Timestamp),
    };

    public WorkflowSummary Apply(IEvent<ConfigVerified> e, WorkflowSummary s) => s with { UpdatedAt = e.Timestamp };

    public WorkflowSummary Apply(IEvent<WorkflowResumed> e, WorkflowSummary s) => s with
    {
        Resumptions = s.Resumptions + 1,
        UpdatedAt = EventTime.Stored(e.Timestamp),
    };

    public WorkflowSummary Apply(IEvent<ProvisioningSucceeded> e, WorkflowSummary s) => s with
    {
        Status = WorkflowStatus.Succeeded,
        Result = WorkflowResult.Success,
        CurrentStep = null,
        UpdatedAt = EventTime.Stored(e.Timestamp),
        CompletedAt = EventTime.Stored(e.Timestamp),
    };

    public WorkflowSummary Apply(IEvent<ProvisioningFailed> e, WorkflowSummary s) => s with
    {
        Status = WorkflowStatus.Failed,
        Result = e.Data.Result,
        FailedStep = e.Data.Step,
        FailureReason = e.Data.Reason,
        FaultCode = e.Data.FaultCode,
        Mismatches = e.Data.Mismatches,
        ParameterFaults = e.Data.ParameterFaults,
        CurrentStep = null,
        UpdatedAt = EventTime.Stored(e.Timestamp),
        CompletedAt = EventTime.Stored(e.Timestamp),
    };

    public WorkflowSummary Apply(IEvent<ProvisioningCancelled> e, WorkflowSummary s) => s with
    {
        Status = WorkflowStatus.Cancelled,
        Result = WorkflowResult.Cancelled,
        FailedStep = s.CurrentStep,
        FailureReason = e.Data.Reason,
        CurrentStep = null,
        UpdatedAt = EventTime.Stored(e.Timestamp),
        CompletedAt = EventTime.Stored(e.Timestamp),
    };
}

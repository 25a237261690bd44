using JasperFx.Events;
using Marten.Events.Projections;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Devices;

/// <summary>Folds every workflow's events into its device's history (async daemon).</summary>
public partial class DeviceHistoryProjection : MultiStreamProjection<DeviceHistory, string>
{
    public DeviceHistoryProjection()
    {
        Identity<IWorkflowEvent>(e => e.SerialNumber);
    }

    public void Apply(DeviceHistory history, IEvent<ProvisioningRequested> e)
    {
        history.Id = e.Data.SerialNumber;
        var entry = history.Entry(e.StreamId);
        entry.Trigger = e.Data.Trigger;
        entry.Kind = e.Data.Kind;
        entry.TraceId = e.Data.Trace.TraceId;
        entry.StartedAt = EventTime.Stored(e.Timestamp);
    }

    public void Apply(DeviceHistory history, IEvent<DeviceAuthenticated> e)
    {
        var entry = history.Entry(e.StreamId);
        entry.Model = e.Data.Model;
        entry.FirmwareVersion = e.Data.FirmwareVersion;
    }

    /// <summary>The device runs the new version now: the entry shows it, as the workflow's summary does.</summary>
    public void Apply(DeviceHistory history, IEvent<FirmwareUpgraded> e) =>
        history.Entry(e.StreamId).FirmwareVersion = e.Data.ToVersion;

    public void Apply(DeviceHistory history, IEvent<ServiceProfileFetched> e) =>
        history.Entry(e.StreamId).ServicePlan = e.Data.ServicePlan;

    public void Apply(DeviceHistory history, IEvent<ProvisioningSucceeded> e)
    {
        var entry = history.Entry(e.StreamId);
        entry.Result = WorkflowResult.Success;
        entry.CompletedAt = EventTime.Stored(e.Timestamp);
    }

    public void Apply(DeviceHistory history, IEvent<ProvisioningFailed> e)
    {
        var entry = history.Entry(e.StreamId);
        entry.Result = e.Data.Result;
        entry.FailedStep = e.Data.Step;
        entry.FaultCode = e.Data.FaultCode;
        entry.FailureReason = e.Data.Reason;
        entry.ServicePlan ??= e.Data.ServicePlan;
        entry.CompletedAt = EventTime.Stored(e.Timestamp);
    }

    public void Apply(DeviceHistory history, IEvent<ProvisioningCancelled> e)
    {
        var entry = history.Entry(e.StreamId);
        entry.Result = WorkflowResult.Cancelled;
        entry.FailureReason = e.Data.Reason;
        entry.CompletedAt = EventTime.Stored(e.Timestamp);
    }
}

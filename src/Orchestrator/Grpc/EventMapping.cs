using Google.Protobuf.WellKnownTypes;
using JasperFx.Events;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>A stored event as the northbound stream carries it: position, stream, trace, and a typed payload.</summary>
public static class EventMapping
{
    public static Wire.ProvisioningEvent ToWire(this IEvent e)
    {
        var message = new Wire.ProvisioningEvent
        {
            GlobalPosition = e.Sequence,
            WorkflowId = e.StreamId.ToString(),
            StreamVersion = e.Version,
            EventType = e.EventTypeName,
            OccurredAt = Timestamp.FromDateTimeOffset(e.Timestamp),
        };
        if (e.Data is IWorkflowEvent w)
        {
            message.SerialNumber = w.SerialNumber;
            message.TraceId = w.Trace.TraceId;
            message.SpanId = w.Trace.SpanId;
        }
        switch (e.Data)
        {
            case ProvisioningRequested r:
                message.Step = Wire.WorkflowStep.Unspecified;
                message.ProvisioningRequested = new Wire.ProvisioningRequested
                {
                    Device = new DeviceRef { SerialNumber = r.Device.SerialNumber, Oui = r.Device.Oui, ProductClass = r.Device.ProductClass, Protocol = r.Device.Protocol, EndpointId = r.Device.EndpointId },
                    RequestId = r.RequestId ?? "",
                    Trigger = r.Trigger.ToWire(),
                    ServicePlanOverride = r.ServicePlanOverride ?? "",
                    RetryOf = r.RetryOf?.ToString() ?? "",
                    CampaignId = r.CampaignId?.ToString() ?? "",
                    EventCodes = { r.EventCodes },
                    Kind = r.Kind.ToWire(),
                    ParameterNames = { r.ParameterNames ?? [] },
                    Parameters = { (r.Parameters ?? []).Select(p => new PushedParameter(p.Name, p.Value, p.Type, p.Secret).ToWire()) },
                    FirmwareVersion = r.Firmware?.Version ?? "",
                    FirmwareUrl = r.Firmware?.Url ?? "",
                };
                break;
            case DeviceAuthenticated a:
                message.Step = Wire.WorkflowStep.Authenticate;
                message.DeviceAuthenticated = new Wire.DeviceAuthenticated
                {
                    Manufacturer = a.Manufacturer, Model = a.Model, FirmwareVersion = a.FirmwareVersion, HardwareVersion = a.HardwareVersion,
                    DataModelRoot = a.DataModelRoot, ReachedVia = a.ReachedVia, CustomerId = a.CustomerId, LocationId = a.LocationId,
                };
                break;
            case ServiceProfileFetched p:
                message.Step = Wire.WorkflowStep.FetchProfile;
                message.ServiceProfileFetched = new Wire.ServiceProfileFetched
                {
                    ServicePlan = p.ServicePlan, ParameterCount = p.ParameterCount, HasVoip = p.HasVoip, HasIptv = p.HasIptv, WifiBands = { p.WifiBands },
                    FirmwareTarget = p.FirmwareTarget ?? "",
                };
                break;
            case ConfigPushed c:
                message.Step = Wire.WorkflowStep.PushConfig;
                message.ConfigPushed = new Wire.ConfigPushed
                {
                    ParameterCount = c.Parameters.Count,
                    ParameterKey = c.ParameterKey,
                    ApplyStatus = c.ApplyStatus,
                    CreatedInstances = { (c.CreatedInstances ?? []).Select(i => new InstanceNumbering { Requested = i.Requested, Actual = i.Actual }) },
                    Parameters =
                    {
                        c.Parameters.Select(p => new ParameterValue
                        {
                            Name = p.Name, Value = p.Value, Secret = p.Secret,
                            Type = System.Enum.TryParse<ParameterType>(p.Type, out var type) ? type : ParameterType.String,
                        }),
                    },
                };
                break;
            case RebootAccepted r:
                message.Step = Wire.WorkflowStep.Reboot;
                message.RebootAccepted = new Wire.RebootAccepted { CommandKey = r.CommandKey };
                break;
            case FactoryResetAccepted:
                message.Step = Wire.WorkflowStep.FactoryReset;
                message.FactoryResetAccepted = new Wire.FactoryResetAccepted();
                break;
            case ParametersRead read:
                message.Step = Wire.WorkflowStep.GetParameters;
                message.ParametersRead = new Wire.ParametersRead { Values = { read.Values.Select(WorkflowMapping.ToWire) } };
                break;
            case ParametersWritten written:
                message.Step = Wire.WorkflowStep.SetParameters;
                message.ParametersWritten = new Wire.ParametersWritten
                {
                    ParameterKey = written.ParameterKey, ApplyStatus = written.ApplyStatus, Parameters = { written.Parameters.Select(WorkflowMapping.ToWire) },
                };
                break;
            case FirmwareUpgraded u:
                message.Step = Wire.WorkflowStep.UpgradeFirmware;
                message.FirmwareUpgraded = new Wire.FirmwareUpgraded
                {
                    FromVersion = u.FromVersion, ToVersion = u.ToVersion, CommandKey = u.CommandKey, StartTime = u.StartTime, CompleteTime = u.CompleteTime,
                };
                break;
            case FirmwareCurrent current:
                message.Step = Wire.WorkflowStep.UpgradeFirmware;
                message.FirmwareCurrent = new Wire.FirmwareCurrent { Version = current.Version };
                break;
            case ConfigVerified v:
                message.Step = Wire.WorkflowStep.Verify;
                message.ConfigVerified = new Wire.ConfigVerified { ParameterCount = v.ParameterCount };
                break;
            case ProvisioningSucceeded s:
                message.ProvisioningSucceeded = new Wire.ProvisioningSucceeded { DurationMs = s.DurationMs };
                break;
            case ProvisioningFailed f:
                message.Step = ((WorkflowStep?)f.Step).ToWire();
                message.ProvisioningFailed = new Wire.ProvisioningFailed
                {
                    Result = ((WorkflowResult?)f.Result).ToWire(),
                    Step = ((WorkflowStep?)f.Step).ToWire(),
                    Reason = f.Reason,
                    FaultCode = f.FaultCode,
                    FaultString = f.FaultString ?? "",
                    ParameterFaults = { f.ParameterFaults.Select(WorkflowMapping.ToWire) },
                    Mismatches = { f.Mismatches.Select(WorkflowMapping.ToWire) },
                    DurationMs = f.DurationMs,
                    Model = f.Model ?? "",
                    FirmwareVersion = f.FirmwareVersion ?? "",
                    ServicePlan = f.ServicePlan ?? "",
                };
                break;
            case ProvisioningCancelled c:
                message.ProvisioningCancelled = new Wire.ProvisioningCancelled { Reason = c.Reason, CancelledBy = c.CancelledBy };
                break;
            case WorkflowResumed r:
                message.Step = ((WorkflowStep?)r.Step).ToWire();
                message.WorkflowResumed = new Wire.WorkflowResumed
                {
                    Step = ((WorkflowStep?)r.Step).ToWire(), Instance = r.Instance, OriginalTraceId = r.OriginalTrace.TraceId,
                };
                break;
        }
        return message;
    }
}

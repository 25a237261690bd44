using Google.Protobuf.WellKnownTypes;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Domain ↔ wire for workflows.</summary>
public static class WorkflowMapping
{
    public static Wire.Workflow ToWire(this WorkflowSummary s)
    {
        var workflow = new Wire.Workflow
        {
            WorkflowId = s.Id.ToString(),
            Device = new DeviceRef { SerialNumber = s.SerialNumber, Oui = s.Oui, ProductClass = s.ProductClass, Protocol = s.Protocol, EndpointId = s.EndpointId },
            State = s.Status.ToWire(),
            Result = s.Result.ToWire(),
            CurrentStep = s.CurrentStep.ToWire(),
            FailedStep = s.FailedStep.ToWire(),
            FailureReason = s.FailureReason ?? "",
            FaultCode = s.FaultCode,
            ServicePlan = s.ServicePlan ?? s.ServicePlanOverride ?? "",
            CustomerId = s.CustomerId ?? "",
            Model = s.Model ?? "",
            FirmwareVersion = s.FirmwareVersion ?? "",
            RequestId = s.RequestId ?? "",
            Trigger = s.Trigger.ToWire(),
            RetryOf = s.RetryOf?.ToString() ?? "",
            CampaignId = s.CampaignId?.ToString() ?? "",
            TraceId = s.TraceId,
            CreatedAt = Timestamp.FromDateTimeOffset(s.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(s.UpdatedAt),
            CompletedAt = s.CompletedAt is { } completed ? Timestamp.FromDateTimeOffset(completed) : null,
            Version = s.Version,
            Kind = s.Kind.ToWire(),
        };
        workflow.Parameters.AddRange(s.Parameters.Select(ToWire));
        workflow.EventCodes.AddRange(s.EventCodes);
        workflow.Mismatches.AddRange(s.Mismatches.Select(ToWire));
        workflow.ParameterFaults.AddRange(s.ParameterFaults.Select(ToWire));
        return workflow;
    }

    /// <summary>A parameter as events and summaries keep it (secrets already redacted).</summary>
    public static ParameterValue ToWire(this PushedParameter p) => new()
    {
        Name = p.Name, Value = p.Value, Secret = p.Secret,
        Type = System.Enum.TryParse<ParameterType>(p.Type, out var type) ? type : ParameterType.String,
    };

    public static Wire.WorkflowKind ToWire(this WorkflowKind kind) => kind switch
    {
        WorkflowKind.Provision => Wire.WorkflowKind.Provision,
        WorkflowKind.Reboot => Wire.WorkflowKind.Reboot,
        WorkflowKind.FactoryReset => Wire.WorkflowKind.FactoryReset,
        WorkflowKind.GetParameters => Wire.WorkflowKind.GetParameters,
        WorkflowKind.SetParameters => Wire.WorkflowKind.SetParameters,
        WorkflowKind.UpgradeFirmware => Wire.WorkflowKind.UpgradeFirmware,
        _ => Wire.WorkflowKind.Unspecified,
    };

    public static WorkflowKind? FromWire(this Wire.WorkflowKind kind) => kind switch
    {
        Wire.WorkflowKind.Provision => WorkflowKind.Provision,
        Wire.WorkflowKind.Reboot => WorkflowKind.Reboot,
        Wire.WorkflowKind.FactoryReset => WorkflowKind.FactoryReset,
        Wire.WorkflowKind.GetParameters => WorkflowKind.GetParameters,
        Wire.WorkflowKind.SetParameters => WorkflowKind.SetParameters,
        Wire.WorkflowKind.UpgradeFirmware => WorkflowKind.UpgradeFirmware,
        _ => null,
    };

    public static Wire.VerificationMismatch ToWire(this VerificationMismatchRecord m) =>
        new() { Name = m.Name, Expected = m.Expected, Actual = m.Actual };

    public static ParameterFault ToWire(this ParameterFaultRecord f) =>
        new() { Name = f.Name, FaultCode = f.FaultCode, FaultString = f.FaultString };

    public static Wire.WorkflowState ToWire(this WorkflowStatus status) => status switch
    {
        WorkflowStatus.Running => Wire.WorkflowState.Running,
        WorkflowStatus.Succeeded => Wire.WorkflowState.Succeeded,
        WorkflowStatus.Failed => Wire.WorkflowState.Failed,
        WorkflowStatus.Cancelled => Wire.WorkflowState.Cancelled,
        _ => Wire.WorkflowState.Unspecified,
    };

    public static WorkflowStatus? FromWire(this Wire.WorkflowState state) => state switch
    {
        Wire.WorkflowState.Running => WorkflowStatus.Running,
        Wire.WorkflowState.Succeeded => WorkflowStatus.Succeeded,
        Wire.WorkflowState.Failed => WorkflowStatus.Failed,
        Wire.WorkflowState.Cancelled => WorkflowStatus.Cancelled,
        _ => null,
    };

    public static Wire.WorkflowResult ToWire(this WorkflowResult? result) => result switch
    {
        WorkflowResult.Success => Wire.WorkflowResult.Success,
        WorkflowResult.UnknownDevice => Wire.WorkflowResult.UnknownDevice,
        WorkflowResult.NoProfile => Wire.WorkflowResult.NoProfile,
        WorkflowResult.ConfigPushFailed => Wire.WorkflowResult.ConfigPushFailed,
        WorkflowResult.VerificationFailed => Wire.WorkflowResult.VerificationFailed,
        WorkflowResult.DeviceUnreachable => Wire.WorkflowResult.DeviceUnreachable,
        WorkflowResult.TimedOut => Wire.WorkflowResult.TimedOut,
        WorkflowResult.Cancelled => Wire.WorkflowResult.Cancelled,
        WorkflowResult.OperationFailed => Wire.WorkflowResult.OperationFailed,
        WorkflowResult.FirmwareUpgradeFailed => Wire.WorkflowResult.FirmwareUpgradeFailed,
        _ => Wire.WorkflowResult.Unspecified,
    };

    public static WorkflowResult? FromWire(this Wire.WorkflowResult result) => result switch
    {
        Wire.WorkflowResult.Success => WorkflowResult.Success,
        Wire.WorkflowResult.UnknownDevice => WorkflowResult.UnknownDevice,
        Wire.WorkflowResult.NoProfile => WorkflowResult.NoProfile,
        Wire.WorkflowResult.ConfigPushFailed => WorkflowResult.ConfigPushFailed,
        Wire.WorkflowResult.VerificationFailed => WorkflowResult.VerificationFailed,
        Wire.WorkflowResult.DeviceUnreachable => WorkflowResult.DeviceUnreachable,
        Wire.WorkflowResult.TimedOut => WorkflowResult.TimedOut,
        Wire.WorkflowResult.Cancelled => WorkflowResult.Cancelled,
        Wire.WorkflowResult.OperationFailed => WorkflowResult.OperationFailed,
        Wire.WorkflowResult.FirmwareUpgradeFailed => WorkflowResult.FirmwareUpgradeFailed,
        _ => null,
    };

    public static Wire.WorkflowStep ToWire(this WorkflowStep? step) => step switch
    {
        WorkflowStep.Authenticate => Wire.WorkflowStep.Authenticate,
        WorkflowStep.FetchProfile => Wire.WorkflowStep.FetchProfile,
        WorkflowStep.PushConfig => Wire.WorkflowStep.PushConfig,
        WorkflowStep.Verify => Wire.WorkflowStep.Verify,
        WorkflowStep.Reboot => Wire.WorkflowStep.Reboot,
        WorkflowStep.FactoryReset => Wire.WorkflowStep.FactoryReset,
        WorkflowStep.GetParameters => Wire.WorkflowStep.GetParameters,
        WorkflowStep.SetParameters => Wire.WorkflowStep.SetParameters,
        WorkflowStep.UpgradeFirmware => Wire.WorkflowStep.UpgradeFirmware,
        _ => Wire.WorkflowStep.Unspecified,
    };

    public static Wire.WorkflowTrigger ToWire(this WorkflowTrigger trigger) => trigger switch
    {
        WorkflowTrigger.Oss => Wire.WorkflowTrigger.Oss,
        WorkflowTrigger.ZeroTouch => Wire.WorkflowTrigger.ZeroTouch,
        WorkflowTrigger.Retry => Wire.WorkflowTrigger.Retry,
        WorkflowTrigger.FactoryReset => Wire.WorkflowTrigger.FactoryReset,
        WorkflowTrigger.Campaign => Wire.WorkflowTrigger.Campaign,
        _ => Wire.WorkflowTrigger.Unspecified,
    };
}

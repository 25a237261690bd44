namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>
/// The device reported the transfer complete (CWMP TransferComplete / USP OperationComplete) under the workflow's
/// CommandKey and came back running <see cref="ToVersion"/>. The times are the device's own (RFC 3339; empty when unknown).
/// </summary>
public sealed record FirmwareUpgraded(
    string SerialNumber,
    string FromVersion,
    string ToVersion,
    string CommandKey,
    string StartTime,
    string CompleteTime,
    TraceRef Trace) : IWorkflowEvent;

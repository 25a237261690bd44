namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The device accepted the Reboot (CWMP RebootResponse / USP OperateResp); it restarts after answering.</summary>
public sealed record RebootAccepted(string SerialNumber, string CommandKey, TraceRef Trace) : IWorkflowEvent;

namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>An upgrade_firmware operation found the device already running the target version: nothing was downloaded.</summary>
public sealed record FirmwareCurrent(string SerialNumber, string Version, TraceRef Trace) : IWorkflowEvent;

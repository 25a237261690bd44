namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The adapter reached the device and its identity matched the inventory.</summary>
public sealed record DeviceAuthenticated(
    string SerialNumber,
    string Manufacturer,
    string Model,
    string FirmwareVersion,
    string HardwareVersion,
    string DataModelRoot,
    string ReachedVia,
    string CustomerId,
    string LocationId,
    TraceRef Trace) : IWorkflowEvent;

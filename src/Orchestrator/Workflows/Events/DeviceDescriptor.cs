using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The device a workflow is for, as the caller or the device named it.</summary>
public sealed record DeviceDescriptor(string SerialNumber, string Oui, string ProductClass, DeviceProtocol Protocol, string EndpointId);

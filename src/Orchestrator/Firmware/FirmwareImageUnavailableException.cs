namespace Provisioning.Orchestrator.Firmware;

/// <summary>A model profile names an image file the orchestrator cannot serve (no folder configured, or no such file).</summary>
public sealed class FirmwareImageUnavailableException(string message) : Exception(message);

using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Tests.Southbound;

/// <summary>How one scripted device behaves behind the in-test adapter.</summary>
public sealed class DeviceScript
{
    public string Manufacturer { get; init; } = "Acme";
    public string Model { get; init; } = "HG-100";
    public string FirmwareVersion { get; init; } = "1.2.3";
    public string DataModelRoot { get; init; } = "Device.";
    public string? AnswerAsSerial { get; init; }
    public StepFailure? AuthenticateFailure { get; init; }
    public StepFailure? PushFailure { get; init; }
    public StepFailure? VerifyFailure { get; init; }
    public TimeSpan AuthenticateDelay { get; init; }
    public TimeSpan PushDelay { get; init; }
    /// <summary>Parameters the device accepts but silently does not apply.</summary>
    public HashSet<string> NotApplied { get; init; } = [];
    /// <summary>What the device holds now (secrets read back empty, as TR-069 requires).</summary>
    public Dictionary<string, (string Value, bool Secret)> Values { get; } = new();
    public int PushCount { get; set; }
}

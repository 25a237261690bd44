using Provisioning.Contracts.Southbound;

namespace Provisioning.Testing;

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
    /// <summary>A push failure made from the request (a parameter fault naming a parameter pushed); before <see cref="PushFailure"/>.</summary>
    public Func<PushConfigRequest, StepFailure>? RejectPush { get; init; }
    public StepFailure? VerifyFailure { get; init; }
    public TimeSpan AuthenticateDelay { get; init; }
    public TimeSpan PushDelay { get; init; }
    public ReachedVia ReachedVia { get; init; } = ReachedVia.LiveSession;
    /// <summary>What Verify reads for a parameter never pushed.</summary>
    public string UnsetValue { get; init; } = "default";
    /// <summary>Parameters the device accepts but silently does not apply.</summary>
    public HashSet<string> NotApplied { get; init; } = [];
    /// <summary>What the device holds now (secrets read back empty, as TR-069 requires).</summary>
    public Dictionary<string, (string Value, bool Secret)> Values { get; } = new();
    public int PushCount { get; set; }
    /// <summary>Device operations (reboot, factory reset, a read, a write) fail with this.</summary>
    public StepFailure? OperationFailure { get; init; }
    /// <summary>What a read of a parameter no operation wrote answers.</summary>
    public Func<string, string> UnreadValue { get; init; } = name => "value of " + name;
    /// <summary>What operations' writes left, by name (with their types).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, Provisioning.Contracts.Common.ParameterValue> Written { get; } = new(StringComparer.Ordinal);
}

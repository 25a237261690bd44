using Provisioning.Contracts.Southbound;

namespace Provisioning.Testing;

/// <summary>How one scripted device behaves behind the in-test adapter.</summary>
public sealed class DeviceScript
{
    public string Manufacturer { get; init; } = "Acme";
    public string Model { get; init; } = "HG-100";
    /// <summary>What the device reports running; a download it installs changes it.</summary>
    public string FirmwareVersion { get; set; } = "1.2.3";
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

    /// <summary>The version an image installs: by default its file name without the extension (".../2.0.1.bin" installs "2.0.1").</summary>
    public Func<DownloadFirmwareRequest, string> ImageVersion { get; init; } =
        request => Path.GetFileNameWithoutExtension(new Uri(request.Url).AbsolutePath);
    /// <summary>The transfer ends with this fault (CWMP 9010 "Download failure", USP 7xxx) and nothing is installed.</summary>
    public (uint Code, string Text)? TransferFault { get; init; }
    /// <summary>The transfer ends well, but the device comes back running the version it had.</summary>
    public bool KeepsOldFirmware { get; init; }
    /// <summary>The download call itself fails (refused, unreachable); else <see cref="OperationFailure"/>, as for every operation.</summary>
    public StepFailure? DownloadFailure { get; init; }
    public TimeSpan DownloadDelay { get; init; }
    /// <summary>Every download the device was asked for, in order (command key, URL, credentials).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<DownloadFirmwareRequest> Downloads { get; } = new();
}

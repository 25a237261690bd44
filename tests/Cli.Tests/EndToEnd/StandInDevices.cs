using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>
/// The device side of the CLI's end-to-end tests: the kit's scripted adapter, where how a device behaves follows from
/// its serial number's prefix (the CLI imports devices, it cannot script them). The CLI never talks to this: it only
/// makes the orchestrator's events and reports worth reading.
///   OK-…    healthy (model HG8245, firmware V3R017)
///   FAULT-… rejects the configuration: CWMP fault 9003 with parameter fault 9007 (model F@ST5670, firmware 1.0.4),
///           and refuses device operations (a firmware download too) with 9001 (request denied)
///   SLOW-…  takes 30 s to answer Authenticate (a workflow to cancel)
///   EVIL-…  like FAULT, but reports a spreadsheet formula as its model
///   other   unreachable
/// Device operations of the others are accepted; a read answers what a write left, else "value of NAME".
/// </summary>
public sealed class StandInDevices : IAsyncDisposable
{
    public const string EvilModel = "=HYPERLINK(\"http://evil.example\",\"click\")";

    private readonly ScriptedAdapter _adapter;

    private StandInDevices(ScriptedAdapter adapter) => _adapter = adapter;

    public string Address => _adapter.Address;

    public static async Task<StandInDevices> StartAsync() => new(await ScriptedAdapter.StartAsync(ScriptFor));

    private static DeviceScript? ScriptFor(string serial) =>
        serial.StartsWith("OK-", StringComparison.Ordinal) ? Device("HG8245", "V3R017")
        : serial.StartsWith("FAULT-", StringComparison.Ordinal) ? Device("F@ST5670", "1.0.4", Reject, Denied)
        : serial.StartsWith("EVIL-", StringComparison.Ordinal) ? Device(EvilModel, "6.6.6", Reject)
        // Slow, then as unreachable as a serial of no prefix.
        : serial.StartsWith("SLOW-", StringComparison.Ordinal) ? new DeviceScript { AuthenticateDelay = TimeSpan.FromSeconds(30), AuthenticateFailure = Unreachable }
        : null;

    private static readonly StepFailure Denied = new() { Kind = FailureKind.DeviceFault, FaultCode = 9001, FaultString = "Request denied" };
    private static readonly StepFailure Unreachable = new() { Kind = FailureKind.Unreachable, FaultString = "no session and no connection request URL" };

    // Reached by Connection Request; what was never pushed reads back empty.
    private static DeviceScript Device(string model, string firmware, Func<PushConfigRequest, StepFailure>? reject = null, StepFailure? operationFailure = null) => new()
    {
        Model = model, FirmwareVersion = firmware, ReachedVia = ReachedVia.ConnectionRequest, UnsetValue = "", RejectPush = reject,
        OperationFailure = operationFailure,
    };

    private static StepFailure Reject(PushConfigRequest request) => new()
    {
        Kind = FailureKind.DeviceFault,
        FaultCode = 9003,
        FaultString = "Invalid arguments",
        ParameterFaults = { new ParameterFault { Name = request.Parameters[0].Name, FaultCode = 9007, FaultString = "Invalid parameter value" } },
    };

    /// <summary>What a write left on a stand-in device (null: never written).</summary>
    public ParameterValue? Written(string serial, string name) => _adapter.Written(serial, name);

    public ValueTask DisposeAsync() => _adapter.DisposeAsync();
}

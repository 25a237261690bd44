using System.Collections.Concurrent;
using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Testing;

/// <summary>
/// An adapter that serves the real southbound gRPC contract over a real HTTP/2 listener, with devices whose
/// behaviour each test scripts (<see cref="Devices"/>, or <see cref="ScriptFor"/> for a serial met first in a workflow).
/// It stands in for the CWMP/USP adapters so the orchestrator (and the CLI over it) is tested alone.
/// </summary>
public sealed class ScriptedAdapter : DeviceAdapter.DeviceAdapterBase, IAsyncDisposable
{
    private TestGrpcServer? _host;

    public ConcurrentDictionary<string, DeviceScript> Devices { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ConcurrentQueue<string> Calls { get; } = new();
    public string Address => _host?.Address ?? "";
    /// <summary>The script of a serial not in <see cref="Devices"/> (null: unreachable); kept there once made.</summary>
    public Func<string, DeviceScript?> ScriptFor { get; init; } = _ => null;

    public static async Task<ScriptedAdapter> StartAsync(Func<string, DeviceScript?>? scriptFor = null)
    {
        var adapter = new ScriptedAdapter { ScriptFor = scriptFor ?? (_ => null) };
        adapter._host = await TestGrpcServer.StartAsync(adapter);
        return adapter;
    }

    private DeviceScript? Script(string serial) =>
        Devices.TryGetValue(serial, out var device) ? device
        : ScriptFor(serial) is { } made ? Devices.GetOrAdd(serial, made)
        : null;

    public override async Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context)
    {
        Calls.Enqueue($"Authenticate:{request.Device.SerialNumber}");
        if (Script(request.Device.SerialNumber) is not { } device)
            return new AuthenticateResponse { Failure = new StepFailure { Kind = FailureKind.Unreachable, FaultString = "no session and no connection request URL" } };
        await Task.Delay(device.AuthenticateDelay, context.CancellationToken);
        if (device.AuthenticateFailure is { } failure) return new AuthenticateResponse { Failure = failure };
        return new AuthenticateResponse
        {
            ReachedVia = device.ReachedVia,
            Identity = new DeviceIdentity
            {
                Device = new DeviceRef
                {
                    SerialNumber = device.AnswerAsSerial ?? request.Device.SerialNumber,
                    Oui = request.Device.Oui,
                    ProductClass = request.Device.ProductClass,
                    Protocol = request.Device.Protocol,
                },
                Manufacturer = device.Manufacturer,
                Model = device.Model,
                FirmwareVersion = device.FirmwareVersion,
                DataModelRoot = device.DataModelRoot,
            },
        };
    }

    public override async Task<PushConfigResponse> PushConfig(PushConfigRequest request, ServerCallContext context)
    {
        Calls.Enqueue($"PushConfig:{request.Device.SerialNumber}");
        var device = Devices[request.Device.SerialNumber];
        await Task.Delay(device.PushDelay, context.CancellationToken);
        if ((device.RejectPush?.Invoke(request) ?? device.PushFailure) is { } failure) return new PushConfigResponse { Failure = failure };
        lock (device)
        {
            device.PushCount++;
            foreach (var p in request.Parameters.Where(p => !device.NotApplied.Contains(p.Name)))
                device.Values[p.Name] = (p.Value, p.Secret);
        }
        return new PushConfigResponse { ApplyStatus = 0 };
    }

    public override Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context)
    {
        Calls.Enqueue($"Verify:{request.Device.SerialNumber}");
        var device = Devices[request.Device.SerialNumber];
        if (device.VerifyFailure is { } failure) return Task.FromResult(new VerifyResponse { Failure = failure });
        var response = new VerifyResponse();
        lock (device)
        {
            foreach (var name in request.ParameterNames)
            {
                var value = device.Values.TryGetValue(name, out var v) ? (v.Secret ? "" : v.Value) : device.UnsetValue;
                response.Values.Add(new ParameterValue { Name = name, Value = value });
            }
        }
        return Task.FromResult(response);
    }

    public override Task<DeviceOperationResponse> Reboot(RebootRequest request, ServerCallContext context) =>
        Task.FromResult(new DeviceOperationResponse { Failure = Operation("Reboot", request.Device) });

    public override Task<DeviceOperationResponse> FactoryReset(FactoryResetRequest request, ServerCallContext context) =>
        Task.FromResult(new DeviceOperationResponse { Failure = Operation("FactoryReset", request.Device) });

    public override Task<ReadParametersResponse> ReadParameters(ReadParametersRequest request, ServerCallContext context)
    {
        if (Operation("ReadParameters", request.Device) is { } refused) return Task.FromResult(new ReadParametersResponse { Failure = refused });
        var device = Script(request.Device.SerialNumber)!;
        var response = new ReadParametersResponse();
        foreach (var name in request.ParameterNames)
            response.Values.Add(new ParameterValue { Name = name, Value = device.Written.TryGetValue(name, out var v) ? v.Value : device.UnreadValue(name) });
        return Task.FromResult(response);
    }

    public override Task<WriteParametersResponse> WriteParameters(WriteParametersRequest request, ServerCallContext context)
    {
        if (Operation("WriteParameters", request.Device) is { } refused) return Task.FromResult(new WriteParametersResponse { Failure = refused });
        var device = Script(request.Device.SerialNumber)!;
        foreach (var parameter in request.Parameters) device.Written[parameter.Name] = parameter;
        return Task.FromResult(new WriteParametersResponse());
    }

    /// <summary>
    /// A firmware download as the script says: installed (the device reports the image's version after), a transfer
    /// fault, the old version kept, or the call failing.
    /// </summary>
    public override async Task<DownloadFirmwareResponse> DownloadFirmware(DownloadFirmwareRequest request, ServerCallContext context)
    {
        Calls.Enqueue($"DownloadFirmware:{request.Device.SerialNumber}");
        if (Script(request.Device.SerialNumber) is not { } device)
            return new DownloadFirmwareResponse { Failure = new StepFailure { Kind = FailureKind.Unreachable, FaultString = "no session and no connection request URL" } };
        device.Downloads.Enqueue(request);
        var started = DateTimeOffset.UtcNow;
        await Task.Delay(device.DownloadDelay, context.CancellationToken);
        if ((device.DownloadFailure ?? device.OperationFailure) is { } failure) return new DownloadFirmwareResponse { Failure = failure };
        var transfer = new FirmwareTransfer
        {
            CommandKey = request.CommandKey,
            StartTime = started.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            CompleteTime = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (device.TransferFault is { } fault)
        {
            transfer.FaultCode = fault.Code;
            transfer.FaultString = fault.Text;
        }
        else if (!device.KeepsOldFirmware)
        {
            device.FirmwareVersion = device.ImageVersion(request);
        }
        return new DownloadFirmwareResponse { Transfer = transfer, FirmwareVersionAfter = device.FirmwareVersion };
    }

    /// <summary>An operation's failure: the script's, or unreachable for a device with none.</summary>
    private StepFailure? Operation(string call, DeviceRef device)
    {
        Calls.Enqueue($"{call}:{device.SerialNumber}");
        return Script(device.SerialNumber) is { } script
            ? script.OperationFailure
            : new StepFailure { Kind = FailureKind.Unreachable, FaultString = "no session and no connection request URL" };
    }

    /// <summary>What an operation's write left on a device (null: never written).</summary>
    public ParameterValue? Written(string serial, string name) =>
        Devices.TryGetValue(serial, out var device) && device.Written.TryGetValue(name, out var value) ? value : null;

    public override Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context)
    {
        Calls.Enqueue($"Release:{request.Device.SerialNumber}");
        return Task.FromResult(new ReleaseResponse());
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

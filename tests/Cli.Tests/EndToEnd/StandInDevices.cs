using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>
/// The device side of the CLI's end-to-end tests: serves the real southbound gRPC contract so the real
/// orchestrator can run whole workflows; how a device behaves follows from its serial number's prefix.
/// The CLI never talks to this: it only makes the orchestrator's events and reports worth reading.
///   OK-…    healthy (model HG8245, firmware V3R017)
///   FAULT-… rejects the configuration: CWMP fault 9003 with parameter fault 9007 (model F@ST5670, firmware 1.0.4)
///   SLOW-…  takes 30 s to answer Authenticate (a workflow to cancel)
///   EVIL-…  like FAULT, but reports a spreadsheet formula as its model
///   other   unreachable
/// Device operations (reboot, factory reset, read, write): see StandInDevices.Operations.
/// </summary>
public sealed partial class StandInDevices : DeviceAdapter.DeviceAdapterBase, IAsyncDisposable
{
    public const string EvilModel = "=HYPERLINK(\"http://evil.example\",\"click\")";

    private WebApplication? _host;

    public string Address { get; private set; } = "";

    public static async Task<StandInDevices> StartAsync()
    {
        var devices = new StandInDevices();
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(devices);
        var app = builder.Build();
        app.MapGrpcService<StandInDevices>();
        await app.StartAsync();
        devices._host = app;
        devices.Address = $"http://localhost:{port}";
        return devices;
    }

    public override async Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context)
    {
        var serial = request.Device.SerialNumber;
        if (serial.StartsWith("SLOW-", StringComparison.Ordinal)) await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
        var (model, firmware) = serial.StartsWith("OK-", StringComparison.Ordinal) ? ("HG8245", "V3R017")
            : serial.StartsWith("FAULT-", StringComparison.Ordinal) ? ("F@ST5670", "1.0.4")
            : serial.StartsWith("EVIL-", StringComparison.Ordinal) ? (EvilModel, "6.6.6")
            : (null, null);
        if (model is null)
            return new AuthenticateResponse { Failure = new StepFailure { Kind = FailureKind.Unreachable, FaultString = "no session and no connection request URL" } };
        return new AuthenticateResponse
        {
            ReachedVia = ReachedVia.ConnectionRequest,
            Identity = new DeviceIdentity
            {
                Device = request.Device,
                Manufacturer = "Acme",
                Model = model,
                FirmwareVersion = firmware,
                DataModelRoot = "Device.",
            },
        };
    }

    public override Task<PushConfigResponse> PushConfig(PushConfigRequest request, ServerCallContext context)
    {
        if (request.Device.SerialNumber.StartsWith("FAULT-", StringComparison.Ordinal) || request.Device.SerialNumber.StartsWith("EVIL-", StringComparison.Ordinal))
        {
            return Task.FromResult(new PushConfigResponse
            {
                Failure = new StepFailure
                {
                    Kind = FailureKind.DeviceFault,
                    FaultCode = 9003,
                    FaultString = "Invalid arguments",
                    ParameterFaults = { new ParameterFault { Name = request.Parameters[0].Name, FaultCode = 9007, FaultString = "Invalid parameter value" } },
                },
            });
        }
        foreach (var parameter in request.Parameters) _values[$"{request.Device.SerialNumber}/{parameter.Name}"] = parameter;
        return Task.FromResult(new PushConfigResponse());
    }

    // Reads back what was pushed: secrets empty, as TR-069 says.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ParameterValue> _values = new();

    public override Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context)
    {
        var response = new VerifyResponse();
        foreach (var name in request.ParameterNames)
        {
            var value = _values.TryGetValue($"{request.Device.SerialNumber}/{name}", out var v) ? (v.Secret ? "" : v.Value) : "";
            response.Values.Add(new ParameterValue { Name = name, Value = value });
        }
        return Task.FromResult(response);
    }

    public override Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context) => Task.FromResult(new ReleaseResponse());

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

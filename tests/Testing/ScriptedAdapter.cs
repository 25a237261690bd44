using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Southbound;

/// <summary>
/// An adapter that serves the real southbound gRPC contract over a real HTTP/2 listener, with devices whose
/// behaviour each test scripts. It stands in for the CWMP/USP adapters so the orchestrator is tested alone.
/// </summary>
public sealed class ScriptedAdapter : DeviceAdapter.DeviceAdapterBase, IAsyncDisposable
{
    private WebApplication? _host;

    public ConcurrentDictionary<string, DeviceScript> Devices { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ConcurrentQueue<string> Calls { get; } = new();
    public string Address { get; private set; } = "";

    public static async Task<ScriptedAdapter> StartAsync()
    {
        var adapter = new ScriptedAdapter();
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(adapter);
        var app = builder.Build();
        app.MapGrpcService<ScriptedAdapter>();
        await app.StartAsync();
        adapter._host = app;
        adapter.Address = $"http://localhost:{port}";
        return adapter;
    }

    public override async Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context)
    {
        Calls.Enqueue($"Authenticate:{request.Device.SerialNumber}");
        if (!Devices.TryGetValue(request.Device.SerialNumber, out var device))
            return new AuthenticateResponse { Failure = new StepFailure { Kind = FailureKind.Unreachable, FaultString = "no session and no connection request URL" } };
        await Task.Delay(device.AuthenticateDelay, context.CancellationToken);
        if (device.AuthenticateFailure is { } failure) return new AuthenticateResponse { Failure = failure };
        return new AuthenticateResponse
        {
            ReachedVia = ReachedVia.LiveSession,
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
        if (device.PushFailure is { } failure) return new PushConfigResponse { Failure = failure };
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
                var value = device.Values.TryGetValue(name, out var v) ? (v.Secret ? "" : v.Value) : "default";
                response.Values.Add(new ParameterValue { Name = name, Value = value });
            }
        }
        return Task.FromResult(response);
    }

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

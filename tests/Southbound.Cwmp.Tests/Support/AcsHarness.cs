using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>
/// The real CWMP adapter host on free loopback ports, a stand-in orchestrator, a gRPC client for the
/// adapter's southbound service, and a simulator fleet pointed at the ACS.
/// </summary>
public sealed class AcsHarness : IAsyncDisposable
{
    private GrpcChannel? channel;

    public required FakeOrchestrator Orchestrator { get; init; }
    public required WebApplication Adapter { get; init; }
    public required Uri AcsUrl { get; init; }
    public required CwmpFleet Fleet { get; init; }
    public DeviceAdapter.DeviceAdapterClient Client { get; private set; } = null!;

    /// <summary>
    /// Starts the adapter; with <paramref name="tls"/> its ACS listener is HTTPS with that certificate; with
    /// <paramref name="watchChanges"/> the stand-in orchestrator offers WatchDeviceChanges from the start.
    /// </summary>
    public static async Task<AcsHarness> StartAsync(IDictionary<string, string?>? settings = null, SelfSignedCertificate? tls = null,
        Action<WebApplicationBuilder>? configure = null, bool watchChanges = false)
    {
        // A free port can be taken by another process between FreePort.Next() and the bind: try again on new ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(settings, tls, configure, watchChanges);
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    private static async Task<AcsHarness> TryStartAsync(IDictionary<string, string?>? settings, SelfSignedCertificate? tls,
        Action<WebApplicationBuilder>? configure, bool watchChanges)
    {
        var orchestrator = await FakeOrchestrator.StartAsync();
        if (watchChanges) orchestrator.Changes = System.Threading.Channels.Channel.CreateUnbounded<DeviceChanges>();
        var acsPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var all = new Dictionary<string, string?>
        {
            ["Cwmp:AcsUrl"] = $"{(tls is null ? "http" : "https")}://127.0.0.1:{acsPort}",
            ["Cwmp:GrpcUrl"] = $"http://127.0.0.1:{grpcPort}",
            ["Cwmp:OrchestratorUrl"] = orchestrator.Url,
            ["Cwmp:HoldTimeout"] = "00:00:05",
            ["Cwmp:IdleGrace"] = "00:00:00.500",
            ["Cwmp:ContactReportTimeout"] = "00:00:03",
            ["Cwmp:Auth:BootstrapUsername"] = "bootstrap",
            ["Cwmp:Auth:BootstrapPassword"] = "bootstrap",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (tls is not null)
        {
            all["Cwmp:Tls:CertificatePath"] = tls.CertificatePath;
            all["Cwmp:Tls:KeyPath"] = tls.KeyPath;
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var adapter = CwmpAdapterApplication.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(all);
            configure?.Invoke(b);
        });
        try
        {
            await adapter.StartAsync();
        }
        catch (IOException)
        {
            await adapter.DisposeAsync();
            await orchestrator.DisposeAsync();
            throw;
        }
        var harness = new AcsHarness
        {
            Orchestrator = orchestrator,
            Adapter = adapter,
            AcsUrl = new Uri($"{(tls is null ? "http" : "https")}://127.0.0.1:{acsPort}/acs"),
            Fleet = await CwmpFleet.StartAsync(),
        };
        harness.channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        harness.Client = new DeviceAdapter.DeviceAdapterClient(harness.channel);
        return harness;
    }

    public SimulatedCpe AddDevice(string serial, CpeBehavior? behavior = null, Func<SimulatedCpeOptions, SimulatedCpeOptions>? configure = null)
    {
        var options = new SimulatedCpeOptions { SerialNumber = serial, AcsUrl = AcsUrl, Username = "bootstrap", Password = "bootstrap" };
        return Fleet.Add(configure?.Invoke(options) ?? options, behavior);
    }

    /// <summary>
    /// A device bootstrapping into a session the orchestrator holds for <paramref name="workflowId"/>: returns once the
    /// contact is reported, with the session still running (<paramref name="prepare"/> shapes the device first).
    /// </summary>
    public async Task<(SimulatedCpe Cpe, Task<SessionResult> Session)> HeldSessionAsync(string serial, string workflowId,
        CpeBehavior? behavior = null, Action<SimulatedCpe>? prepare = null)
    {
        Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = workflowId, Registered = true };
        var cpe = AddDevice(serial, behavior);
        prepare?.Invoke(cpe);
        var session = cpe.BootstrapAsync();
        await Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == serial);
        return (cpe, session);
    }

    public static DeviceRef Ref(string serial) => new() { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp };

    public static DateTime Deadline(double seconds = 10) => DateTime.UtcNow.AddSeconds(seconds);

    public async ValueTask DisposeAsync()
    {
        channel?.Dispose();
        await Fleet.DisposeAsync();
        await Adapter.StopAsync();
        await Adapter.DisposeAsync();
        await Orchestrator.DisposeAsync();
    }
}

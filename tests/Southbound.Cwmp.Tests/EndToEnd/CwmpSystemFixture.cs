using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>
/// The whole system over real gRPC, HTTP and PostgreSQL: the orchestrator (SystemUnderTest), this CWMP
/// adapter in its own host on the addresses the system expects, and a simulator fleet.
/// </summary>
public sealed class CwmpSystemFixture : IAsyncLifetime
{
    public SystemUnderTest System { get; private set; } = null!;
    public WebApplication Adapter { get; private set; } = null!;
    public CwmpFleet Fleet { get; private set; } = null!;
    public Uri AcsUrl { get; private set; } = null!;

    /// <summary>The orchestrator's firmware image folder (Firmware:ImageFolder): a file put here is served to devices.</summary>
    public string ImageFolder { get; } = Directory.CreateTempSubdirectory("cwmp-e2e-images-").FullName;

    public async Task InitializeAsync()
    {
        System = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Firmware:ImageFolder"] = ImageFolder,
            ["Firmware:ImageUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            // The adapter runs in its own host here (as in a split deployment), reached over gRPC as always.
            ["Orchestrator:HostAdapters"] = "false",
            ["Workflow:AuthenticateTimeout"] = "00:00:04",
            ["Workflow:PushConfigTimeout"] = "00:00:05",
            ["Workflow:VerifyTimeout"] = "00:00:05",
        });
        var settings = System.Settings.ToDictionary(kv => kv.Key, kv => kv.Value);
        settings["Cwmp:HoldTimeout"] = "00:00:10";
        settings["Cwmp:IdleGrace"] = "00:00:05";
        settings["Cwmp:Auth:BootstrapUsername"] = "bootstrap";
        settings["Cwmp:Auth:BootstrapPassword"] = "bootstrap";
        settings["Cwmp:Auth:CacheDuration"] = "00:00:00";
        // The interop variants include CPEs that speak Basic; without TLS that needs the operator's say-so.
        settings["Cwmp:Auth:AllowBasicOverHttp"] = "true";
        Adapter = CwmpAdapterApplication.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        await Adapter.StartAsync();
        AcsUrl = System.AcsUrl;
        Fleet = await CwmpFleet.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Fleet.DisposeAsync();
        await Adapter.StopAsync();
        await Adapter.DisposeAsync();
        await System.DisposeAsync();
        Directory.Delete(ImageFolder, recursive: true);
    }

    public string NewSerial(string prefix) => TestSerials.Next(prefix);

    public static ServicePlan Plan(string name) => TestPlans.Standard(name);

    /// <summary>Registers a device with its own CWMP and Connection Request credentials, and its plan.</summary>
    public async Task RegisterAsync(string serialNumber, string plan = "cwmp-gold", bool withPlan = true)
    {
        if (withPlan) await System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = Plan(plan) });
        await System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new DeviceRef { SerialNumber = serialNumber, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
                CustomerId = "C-" + serialNumber,
                ServicePlan = plan,
                LocationId = "LOC-1",
                CwmpUsername = "cpe-" + serialNumber,
                CwmpPassword = "pw-" + serialNumber,
                ConnectionRequestUsername = "cr-" + serialNumber,
                ConnectionRequestPassword = "crpw-" + serialNumber,
            },
        });
    }

    /// <summary>A simulated CPE with the credentials <see cref="RegisterAsync"/> stored (or the bootstrap credential).</summary>
    public SimulatedCpe AddDevice(string serialNumber, CpeBehavior? behavior = null, bool bootstrapCredential = false,
        Func<SimulatedCpeOptions, SimulatedCpeOptions>? configure = null)
    {
        var options = new SimulatedCpeOptions
        {
            SerialNumber = serialNumber,
            AcsUrl = AcsUrl,
            Username = bootstrapCredential ? "bootstrap" : "cpe-" + serialNumber,
            Password = bootstrapCredential ? "bootstrap" : "pw-" + serialNumber,
            ConnectionRequestUsername = "cr-" + serialNumber,
            ConnectionRequestPassword = "crpw-" + serialNumber,
            AuthScheme = CpeAuthScheme.Digest,
        };
        return Fleet.Add(configure?.Invoke(options) ?? options, behavior);
    }
}

[CollectionDefinition(nameof(CwmpSystemCollection))]
public sealed class CwmpSystemCollection : ICollectionFixture<CwmpSystemFixture>;

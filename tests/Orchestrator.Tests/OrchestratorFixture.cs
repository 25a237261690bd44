using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests;

/// <summary>The orchestrator over a real PostgreSQL database, with the scripted adapter serving both protocols.</summary>
public sealed class OrchestratorFixture : IAsyncLifetime
{
    public ScriptedAdapter Adapter { get; private set; } = null!;
    public SystemUnderTest System { get; private set; } = null!;

    /// <summary>The same helpers over a system a test class started itself (with its own settings).</summary>
    public static OrchestratorFixture Over(ScriptedAdapter adapter, SystemUnderTest system) => new() { Adapter = adapter, System = system };

    public async Task InitializeAsync()
    {
        Adapter = await ScriptedAdapter.StartAsync();
        System = await SystemUnderTest.StartAsync(Settings(Adapter));
    }

    public static Dictionary<string, string?> Settings(ScriptedAdapter adapter) => new()
    {
        ["Orchestrator:HostAdapters"] = "false",
        ["Orchestrator:Adapters:Cwmp"] = adapter.Address,
        ["Orchestrator:Adapters:Usp"] = adapter.Address,
        ["Workflow:AuthenticateTimeout"] = "00:00:03",
        ["Workflow:PushConfigTimeout"] = "00:00:03",
        ["Workflow:VerifyTimeout"] = "00:00:03",
        ["Workflow:AdapterRetryDelay"] = "00:00:00.100",
    };

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Adapter.DisposeAsync();
    }

    public string NewSerial(string prefix = "SN") => TestSerials.Next(prefix, counterDigits: 6);

    public static ServicePlan GoldPlan(string name = "gold") => TestPlans.WithIptv(name);

    /// <summary>Registers a device (and its plan) and scripts how it behaves.</summary>
    public async Task<string> RegisterAsync(DeviceScript script, string plan = "gold", string? serial = null, DeviceProtocol protocol = DeviceProtocol.Cwmp)
    {
        serial ??= NewSerial();
        await System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = GoldPlan(plan) });
        await System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG", Protocol = protocol, EndpointId = protocol == DeviceProtocol.Usp ? $"os::00D09E-{serial}" : "" },
                CustomerId = "C-" + serial,
                ServicePlan = plan,
                LocationId = "LOC-1",
            },
        });
        Adapter.Devices[serial] = script;
        return serial;
    }

    public Task<ProvisionDeviceResponse> ProvisionAsync(string serial, string? requestId = null, DeviceProtocol protocol = DeviceProtocol.Cwmp) =>
        System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG", Protocol = protocol },
            RequestId = requestId ?? Guid.NewGuid().ToString(),
        }).ResponseAsync;
}

[CollectionDefinition(nameof(OrchestratorCollection))]
public sealed class OrchestratorCollection : ICollectionFixture<OrchestratorFixture>;

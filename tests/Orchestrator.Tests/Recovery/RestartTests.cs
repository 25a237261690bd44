using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Recovery;

/// <summary>An orchestrator stopped mid-workflow and started again: every accepted workflow still ends.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync()
    {
        _adapter = await ScriptedAdapter.StartAsync();
        _system = await SystemUnderTest.StartAsync(OrchestratorFixture.Settings(_adapter));
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
    }

    [Fact]
    public async Task Workflows_in_flight_when_the_orchestrator_stops_are_resumed_and_end_after_it_starts_again()
    {
        await _system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = OrchestratorFixture.GoldPlan() });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var serial = $"RESTART{i:D3}{Guid.NewGuid().ToString("N")[..6]}";
            await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
            {
                Device = new Device { Identity = new Contracts.Common.DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = Contracts.Common.DeviceProtocol.Cwmp }, ServicePlan = "gold" },
            });
            _adapter.Devices[serial] = new DeviceScript { PushDelay = TimeSpan.FromSeconds(1.5) };
            var started = await _system.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
            {
                Device = new Contracts.Common.DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = Contracts.Common.DeviceProtocol.Cwmp },
                RequestId = Guid.NewGuid().ToString(),
            });
            ids.Add(started.Workflow.WorkflowId);
        }
        foreach (var id in ids)
        {
            await WaitAsync(async () => (await _system.Provisioning.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = id })).CurrentStep == WorkflowStep.PushConfig);
        }

        await _system.StopOrchestratorAsync();
        await _system.StartOrchestratorAsync();

        foreach (var id in ids)
        {
            var workflow = await _system.WaitForTerminalAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(WorkflowResult.Success, workflow.Result);
            var events = await _system.EventsAsync(id);
            Assert.Contains(events, e => e.EventType == "workflow_resumed" && e.WorkflowResumed.OriginalTraceId == workflow.TraceId);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.StreamVersion));
            Assert.Single(events, e => e.EventType == "provisioning_succeeded");
            Assert.Single(events, e => e.EventType == "device_authenticated");
        }
    }

    [Fact]
    public async Task An_upgrade_in_flight_when_the_orchestrator_stops_is_asked_again_under_the_same_command_key()
    {
        await _system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = OrchestratorFixture.GoldPlan() });
        var serial = $"RESTARTFW{Guid.NewGuid().ToString("N")[..6]}";
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device { Identity = new Contracts.Common.DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = Contracts.Common.DeviceProtocol.Cwmp }, ServicePlan = "gold" },
        });
        var script = new DeviceScript { FirmwareVersion = "1.2.3", DownloadDelay = TimeSpan.FromSeconds(2) };
        _adapter.Devices[serial] = script;
        var started = await _system.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest
        {
            SerialNumber = serial, Version = "2.0.1", Url = "https://images.example.net/2.0.1.bin",
        });
        await Eventually.TrueAsync(() => Task.FromResult(!script.Downloads.IsEmpty), "the download was asked for", TimeSpan.FromSeconds(20));

        await _system.StopOrchestratorAsync();
        await _system.StartOrchestratorAsync();

        var workflow = await _system.WaitForTerminalAsync(started.Workflow.WorkflowId, TimeSpan.FromSeconds(30));
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var keys = script.Downloads.Select(d => d.CommandKey).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Single(keys.Distinct());
        var events = await _system.EventsAsync(workflow.WorkflowId);
        Assert.Contains(events, e => e.EventType == "workflow_resumed" && e.WorkflowResumed.Step == WorkflowStep.UpgradeFirmware);
        Assert.Equal(keys[0], Assert.Single(events, e => e.EventType == "firmware_upgraded").FirmwareUpgraded.CommandKey);
    }

    private static Task WaitAsync(Func<Task<bool>> condition) =>
        Eventually.TrueAsync(condition, "the workflow reached push_config", TimeSpan.FromSeconds(20));
}

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

    private static Task WaitAsync(Func<Task<bool>> condition) =>
        Eventually.TrueAsync(condition, "the workflow reached push_config", TimeSpan.FromSeconds(20));
}

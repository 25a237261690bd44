using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.ScaleOut;

/// <summary>Two orchestrator instances on one PostgreSQL: leases, takeover, one event order for every follower.</summary>
public sealed class TwoInstancesTests : TwoInstanceSystem
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await First.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = OrchestratorFixture.GoldPlan() });
    }

    [Fact]
    public async Task Workflows_of_an_instance_that_dies_are_taken_over_and_end_without_a_duplicated_step()
    {
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var serial = await RegisterAsync(new DeviceScript { PushDelay = TimeSpan.FromSeconds(2) });
            ids.Add((await ProvisionAsync(First, serial)).Workflow.WorkflowId);
        }
        foreach (var id in ids)
        {
            await WaitAsync(async () => (await First.Provisioning.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = id })).CurrentStep == WorkflowStep.PushConfig);
        }

        // The first instance dies without handing its leases back (as on SIGKILL, its leases simply stop being renewed).
        await First.CrashOrchestratorAsync();

        foreach (var id in ids)
        {
            var workflow = await Second.WaitForTerminalAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(WorkflowResult.Success, workflow.Result);
            var events = await Second.EventsAsync(id);
            var resumed = Assert.Single(events, e => e.EventType == "workflow_resumed");
            Assert.Equal("orchestrator-b", resumed.WorkflowResumed.Instance);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.StreamVersion));
            foreach (var type in new[] { "device_authenticated", "service_profile_fetched", "config_pushed", "config_verified", "provisioning_succeeded" })
                Assert.Single(events, e => e.EventType == type);
        }
    }

    [Fact]
    public async Task A_follower_on_either_instance_sees_every_event_in_the_same_global_order()
    {
        var start = (await Second.EventsAsync()).LastOrDefault()?.GlobalPosition ?? 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var onFirst = FollowAsync(First, start, 12, cts.Token);
        var onSecond = FollowAsync(Second, start, 12, cts.Token);

        var a = await RegisterAsync(new DeviceScript());
        var b = await RegisterAsync(new DeviceScript());
        var wa = await ProvisionAsync(First, a);
        var wb = await ProvisionAsync(Second, b);
        await First.WaitForTerminalAsync(wa.Workflow.WorkflowId);
        await Second.WaitForTerminalAsync(wb.Workflow.WorkflowId);

        var seenFirst = await onFirst;
        var seenSecond = await onSecond;
        Assert.Equal(seenFirst.Select(e => e.GlobalPosition), seenSecond.Select(e => e.GlobalPosition));
        Assert.Equal(6, seenFirst.Count(e => e.SerialNumber == a));
        Assert.Equal(6, seenFirst.Count(e => e.SerialNumber == b));
    }

    private static async Task<List<ProvisioningEvent>> FollowAsync(SystemUnderTest system, long after, int count, CancellationToken cancellationToken)
    {
        var seen = new List<ProvisioningEvent>();
        using var call = system.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { AfterPosition = after, Follow = true }, cancellationToken: cancellationToken);
        while (seen.Count < count && await call.ResponseStream.MoveNext(cancellationToken)) seen.Add(call.ResponseStream.Current);
        return seen;
    }

    private async Task<string> RegisterAsync(DeviceScript script)
    {
        var serial = $"SCALE{Guid.NewGuid().ToString("N")[..10].ToUpperInvariant()}";
        await First.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device { Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp }, ServicePlan = "gold" },
        });
        Adapter.Devices[serial] = script;
        return serial;
    }

    private static Task<ProvisionDeviceResponse> ProvisionAsync(SystemUnderTest system, string serial) =>
        system.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        }).ResponseAsync;

    private static Task WaitAsync(Func<Task<bool>> condition) =>
        Eventually.TrueAsync(condition, "the workflow reached push_config", TimeSpan.FromSeconds(20));
}

using Npgsql;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

[Collection(nameof(OrchestratorCollection))]
public sealed class HappyPathTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task A_registered_device_is_provisioned_and_every_step_is_an_event_in_order()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());

        var started = await fixture.ProvisionAsync(serial);
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(WorkflowState.Succeeded, workflow.State);
        Assert.Equal("HG-100", workflow.Model);
        Assert.Equal("gold", workflow.ServicePlan);
        Assert.Matches("^[0-9a-f]{32}$", workflow.TraceId);

        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(
            ["provisioning_requested", "device_authenticated", "service_profile_fetched", "config_pushed", "config_verified", "provisioning_succeeded"],
            events.Select(e => e.EventType));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), events.Select(e => e.StreamVersion));
        Assert.All(events, e => Assert.Equal(serial, e.SerialNumber));
        Assert.All(events, e => Assert.Equal(workflow.TraceId, e.TraceId));
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.GlobalPosition < pair.Second.GlobalPosition));

        var pushed = events.Single(e => e.ConfigPushed is not null).ConfigPushed;
        Assert.Contains(pushed.Parameters, p => p.Name == "Device.WiFi.SSID.1.SSID" && p.Value == "Home-24");
        Assert.Contains(pushed.Parameters, p => p.Name == "Device.Ethernet.VLANTermination.1.VLANID" && p.Value == "100");
        Assert.All(pushed.Parameters.Where(p => p.Secret), p => Assert.Equal("********", p.Value));
        var everything = string.Join("\n", events.Select(e => e.ToString()));
        Assert.DoesNotContain("wifi-secret-24", everything);
        Assert.DoesNotContain("sip-secret-1", everything);

        var device = await fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = serial });
        Assert.True(device.Provisioned);
    }

    [Fact]
    public async Task Authenticate_and_fetch_profile_commit_together_and_steps_that_reach_the_device_commit_alone()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());

        var started = await fixture.ProvisionAsync(serial);
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId);
        Assert.Equal(WorkflowResult.Success, workflow.Result);

        // The transaction that wrote each event, by stream version (fetch_profile works on the store alone).
        await using var connection = new NpgsqlConnection(fixture.System.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select version, xmin::text from provisioning.mt_events where stream_id = $1 order by version", connection);
        command.Parameters.AddWithValue(Guid.Parse(workflow.WorkflowId));
        var transactions = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) transactions.Add(reader.GetString(1));

        Assert.Equal(6, transactions.Count);
        Assert.Equal(transactions[1], transactions[2]); // device_authenticated + service_profile_fetched
        Assert.Equal(transactions[4], transactions[5]); // config_verified + provisioning_succeeded
        Assert.Equal(4, transactions.Distinct().Count()); // requested | authenticated+fetched | pushed | verified+succeeded
    }
}

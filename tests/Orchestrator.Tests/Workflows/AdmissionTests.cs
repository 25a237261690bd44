using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

[Collection(nameof(OrchestratorCollection))]
public sealed class AdmissionTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task The_same_request_id_twice_returns_the_first_workflow_and_starts_no_second()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());
        var requestId = Guid.NewGuid().ToString();
        var first = await fixture.ProvisionAsync(serial, requestId);
        await fixture.System.WaitForTerminalAsync(first.Workflow.WorkflowId);

        var again = await fixture.ProvisionAsync(serial, requestId);

        Assert.True(again.Replayed);
        Assert.Equal(first.Workflow.WorkflowId, again.Workflow.WorkflowId);
        var all = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Single(all.Workflows);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_device_give_one_workflow()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { AuthenticateDelay = TimeSpan.FromMilliseconds(500) });

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.ProvisionAsync(serial)));

        Assert.Single(answers.Select(a => a.Workflow.WorkflowId).Distinct());
        Assert.Equal(7, answers.Count(a => a.Existing));
        var all = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Single(all.Workflows);
    }

    [Theory]
    [InlineData("", "device.serial_number")]
    [InlineData("SN-WITH-BAD-OUI", "device.oui")]
    public async Task A_malformed_request_is_refused_naming_the_field_and_stores_nothing(string serial, string field)
    {
        var before = (await fixture.System.EventsAsync()).Count;
        var request = new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = serial.Length > 0 ? "XYZ123" : "00D09E", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Provisioning.ProvisionDeviceAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail);
        Assert.Equal(before, (await fixture.System.EventsAsync()).Count);
    }

    [Fact]
    public async Task A_request_without_a_device_is_refused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest { RequestId = "x" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("device", error.Status.Detail);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_with_resource_exhausted_and_stores_nothing()
    {
        var before = await fixture.System.Inventory.ListDevicesAsync(new ListDevicesRequest { PageSize = 1000 });
        var request = new UpsertDevicesRequest();
        for (var i = 0; i < 40_000; i++)
        {
            request.Devices.Add(new Device
            {
                Identity = new DeviceRef { SerialNumber = $"BULK{i:D8}", Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
                CustomerId = new string('c', 400),
            });
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertDevicesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var after = await fixture.System.Inventory.ListDevicesAsync(new ListDevicesRequest { PageSize = 1000 });
        Assert.Equal(before.Devices.Count, after.Devices.Count);
    }

    [Theory]
    [InlineData("ssid", "Home\0Net", "passphrase-ok")]
    [InlineData("key", "HomeNet", "pass\0phrase")]
    [InlineData("key", "HomeNet", "pass\u00e9phrase")]
    public async Task A_plan_with_a_control_character_or_non_ascii_in_its_wifi_is_refused_and_not_stored(string field, string ssid, string key)
    {
        // Found by fuzzing: a NUL reached PostgreSQL's jsonb and came back as INTERNAL.
        var name = "ctl-" + Guid.NewGuid().ToString("N")[..8];
        var plan = new ServicePlan { Name = name, Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = ssid, Key = key, Enabled = true } } };

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = plan }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"wifi[0].{field}", error.Status.Detail);
        var plans = await fixture.System.Inventory.ListServicePlansAsync(new ListServicePlansRequest());
        Assert.DoesNotContain(plans.Plans, p => p.Name == name);
    }

    [Fact]
    public async Task A_bulk_load_with_one_bad_device_stores_none_and_names_it()
    {
        var request = new UpsertDevicesRequest();
        var good = fixture.NewSerial("BULKOK");
        request.Devices.Add(new Device { Identity = new DeviceRef { SerialNumber = good, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp } });
        request.Devices.Add(new Device { Identity = new DeviceRef { SerialNumber = fixture.NewSerial("BULKBAD"), Protocol = DeviceProtocol.Usp } });

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertDevicesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("devices[1].identity.endpoint_id", error.Status.Detail);
        var lookup = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = good }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task Reads_of_the_inventory_never_return_passwords_or_keys()
    {
        var serial = fixture.NewSerial();
        await fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
                CwmpUsername = "cpe", CwmpPassword = "device-secret", ConnectionRequestPassword = "cr-secret",
            },
        });
        var device = await fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = serial });
        Assert.True(device.HasCwmpPassword);
        Assert.Empty(device.CwmpPassword);
        Assert.DoesNotContain("secret", device.ToString());

        await fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = OrchestratorFixture.GoldPlan("readback") });
        var plan = await fixture.System.Inventory.GetServicePlanAsync(new GetServicePlanRequest { Name = "readback" });
        Assert.DoesNotContain("secret", plan.ToString());
    }
}

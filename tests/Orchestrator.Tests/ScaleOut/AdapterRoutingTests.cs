using Grpc.Net.Client;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.ScaleOut;

/// <summary>A device's southbound calls go to the adapter instance that reported its contact.</summary>
public sealed class AdapterRoutingTests : IAsyncLifetime
{
    private ScriptedAdapter _holder = null!;
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync()
    {
        _holder = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(_holder);
        // The configured ("any instance") address leads nowhere: only routing can reach the device. Port 9 (discard)
        // is refused and, unlike a free port picked now, cannot be taken by another test's server meanwhile.
        settings["Orchestrator:Adapters:Cwmp"] = "http://127.0.0.1:9";
        // The instance holding the devices is a registered one (a contact naming any other address is not believed).
        settings["Orchestrator:Adapters:Instances:0"] = _holder.Address;
        // Roomy enough for a cold first workflow on a loaded CI box; the unrouted one fails at once (refused).
        settings["Workflow:AuthenticateTimeout"] = "00:00:06";
        _system = await SystemUnderTest.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _holder.DisposeAsync();
    }

    [Fact]
    public async Task Steps_are_sent_to_the_adapter_instance_that_holds_the_device()
    {
        var helper = OrchestratorFixture.Over(_holder, _system);
        var routed = await helper.RegisterAsync(new DeviceScript());
        var unrouted = await helper.RegisterAsync(new DeviceScript());

        using var channel = TestChannels.ForAddress(_system.GrpcAddress, token: SystemUnderTest.InternalKey);
        var contacts = new DeviceContacts.DeviceContactsClient(channel);
        await contacts.ReportDeviceContactAsync(new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = new DeviceRef { SerialNumber = routed, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp } },
            EventCodes = { "2 PERIODIC" },
            AdapterAddress = _holder.Address,
        });

        var ok = await _system.WaitForTerminalAsync((await helper.ProvisionAsync(routed)).Workflow.WorkflowId);
        var lost = await _system.WaitForTerminalAsync((await helper.ProvisionAsync(unrouted)).Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.Success, ok.Result);
        Assert.Contains($"PushConfig:{routed}", _holder.Calls);
        // The held session is released on the instance that holds it too (after the terminal event, best effort).
        for (var wait = DateTime.UtcNow.AddSeconds(10); !_holder.Calls.Contains($"Release:{routed}") && DateTime.UtcNow < wait;) await Task.Delay(50);
        Assert.Contains($"Release:{routed}", _holder.Calls);
        Assert.Equal(WorkflowResult.DeviceUnreachable, lost.Result);
        Assert.Contains("adapter unavailable", lost.FailureReason);
    }

    [Fact]
    public async Task The_connection_request_url_of_a_contact_is_kept_for_any_ACS_instance_that_looks_the_device_up()
    {
        var helper = OrchestratorFixture.Over(_holder, _system);
        var serial = await helper.RegisterAsync(new DeviceScript());
        using var channel = TestChannels.ForAddress(_system.GrpcAddress, token: SystemUnderTest.InternalKey);
        var contacts = new DeviceContacts.DeviceContactsClient(channel);
        var device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp };

        var before = await contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = device, Realm = "cpe" });
        await contacts.ReportDeviceContactAsync(new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = device, Endpoint = " http://192.0.2.7:7547/cr " },
            EventCodes = { "2 PERIODIC" },
            AdapterAddress = _holder.Address,
        });
        var after = await contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = device, Realm = "cpe" });
        // A later contact without a URL (e.g. a USP-style report) does not erase the one the device gave.
        await contacts.ReportDeviceContactAsync(new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = device },
            EventCodes = { "2 PERIODIC" },
            AdapterAddress = "http://127.0.0.1:1",
        });
        var kept = await contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = device, Realm = "cpe" });

        Assert.Equal("", before.ConnectionRequestUrl);
        Assert.Equal("http://192.0.2.7:7547/cr", after.ConnectionRequestUrl);
        Assert.Equal("http://192.0.2.7:7547/cr", kept.ConnectionRequestUrl);
    }

    [Fact]
    public async Task A_contact_report_carrying_a_control_character_is_refused_and_starts_nothing()
    {
        using var channel = TestChannels.ForAddress(_system.GrpcAddress, token: SystemUnderTest.InternalKey);
        var contacts = new DeviceContacts.DeviceContactsClient(channel);
        var before = (await _system.EventsAsync()).Count;

        var error = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => contacts.ReportDeviceContactAsync(new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = new DeviceRef { SerialNumber = "SN\0NUL", Oui = "00D09E", Protocol = DeviceProtocol.Usp, EndpointId = "os::00D09E-SN" } },
            EventCodes = { "Boot!" },
            AdapterAddress = _holder.Address,
        }).ResponseAsync);

        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("serial_number", error.Status.Detail);
        Assert.Equal(before, (await _system.EventsAsync()).Count);
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.DataModel;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>Provisioning through the northbound gRPC API, the orchestrator, this ACS and simulated CPEs over real HTTP.</summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class CwmpProvisioningTests(CwmpSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_registered_device_bootstrapping_is_provisioned_zero_touch()
    {
        var serial = fixture.NewSerial("ZT");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial);

        var session = await cpe.BootstrapAsync();
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(session.Succeeded, session.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(WorkflowTrigger.ZeroTouch, workflow.Trigger);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(
            ["ProvisioningRequested", "DeviceAuthenticated", "ServiceProfileFetched", "ConfigPushed", "ConfigVerified", "ProvisioningSucceeded"],
            events.Select(e => e.PayloadCase.ToString()));
        Assert.Equal(["0 BOOTSTRAP", "1 BOOT"], events[0].ProvisioningRequested.EventCodes);
        Assert.Contains("LIVE", events[1].DeviceAuthenticated.ReachedVia.ToUpperInvariant());
        Assert.Equal(["SetParameterValues", "GetParameterValues"], session.RequestsFromAcs);
        Assert.Equal("Home-24", cpe.GetValue("Device.WiFi.SSID.1.SSID"));
        Assert.Equal("wifi-secret-24", cpe.GetValue("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));
        Assert.NotEqual("", cpe.ParameterKey);
    }

    [Fact]
    public async Task An_idle_device_is_provisioned_on_request_through_a_connection_request()
    {
        var serial = fixture.NewSerial("CR");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, configure: o => o with { DataModel = DataModelKind.Tr098 });
        Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded); // the ACS learns its ConnectionRequestURL

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        await cpe.WaitForSessionsAsync(2, TimeSpan.FromSeconds(5));
        Assert.Equal(["6 CONNECTION REQUEST"], cpe.History[1].EventCodes);
        Assert.Equal("Home-24", cpe.GetValue("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"));
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Contains("CONNECTION", events.Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.DeviceAuthenticated).DeviceAuthenticated.ReachedVia.ToUpperInvariant());
    }

    [Fact]
    public async Task A_device_that_applies_after_a_reboot_is_rebooted_and_verified_after_it()
    {
        var serial = fixture.NewSerial("APPLY");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, new CpeBehavior { ApplyAfterReboot = true });

        var bootstrap = await cpe.BootstrapAsync(); // returns after the reboot's session too
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(bootstrap.Succeeded, bootstrap.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(1, events.Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed).ConfigPushed.ApplyStatus);
        Assert.Equal(["SetParameterValues", "Reboot"], cpe.History[0].RequestsFromAcs);
        Assert.Equal(["1 BOOT", "M Reboot"], cpe.History[1].EventCodes);
        Assert.Equal(["GetParameterValues"], cpe.History[1].RequestsFromAcs);
    }

    [Fact]
    public async Task A_cpe_lacking_an_access_point_gets_it_created_and_the_events_say_under_which_number()
    {
        var serial = fixture.NewSerial("AP");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial);
        cpe.RemoveObject("Device.WiFi.AccessPoint.2.");

        await cpe.BootstrapAsync();
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var pushed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed).ConfigPushed;
        var created = Assert.Single(pushed.CreatedInstances);
        Assert.Equal(("Device.WiFi.AccessPoint.2.", "Device.WiFi.AccessPoint.4."), (created.Requested, created.Actual));
        Assert.NotEqual("", cpe.GetValue("Device.WiFi.AccessPoint.4.Security.ModeEnabled"));

        // Provisioned again: the numbering comes from the first workflow, nothing is created twice.
        var again = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });
        var second = await fixture.System.WaitForTerminalAsync(again.Workflow.WorkflowId, Patience);
        Assert.Equal(WorkflowResult.Success, second.Result);
        var pushedAgain = (await fixture.System.EventsAsync(second.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed).ConfigPushed;
        Assert.Equal(("Device.WiFi.AccessPoint.2.", "Device.WiFi.AccessPoint.4."), (pushedAgain.CreatedInstances.Single().Requested, pushedAgain.CreatedInstances.Single().Actual));
        Assert.Null(cpe.GetValue("Device.WiFi.AccessPoint.5.Security.ModeEnabled"));
    }

    [Fact]
    public async Task A_parameter_fault_ends_in_config_push_failed_with_the_fault_code()
    {
        var serial = fixture.NewSerial("SPV");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, new CpeBehavior().WithFault("Device.WiFi.SSID.2.SSID", 9007));

        await cpe.BootstrapAsync();
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
        var failed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Last().ProvisioningFailed;
        Assert.Equal(WorkflowStep.PushConfig, failed.Step);
        Assert.Equal(9003u, failed.FaultCode);
        var parameterFault = Assert.Single(failed.ParameterFaults);
        Assert.Equal(("Device.WiFi.SSID.2.SSID", 9007u), (parameterFault.Name, parameterFault.FaultCode));
    }

    [Fact]
    public async Task A_value_silently_not_applied_ends_in_verification_failed()
    {
        var serial = fixture.NewSerial("LIE");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, new CpeBehavior().Ignoring("Device.Ethernet.VLANTermination.1.VLANID"));

        await cpe.BootstrapAsync();
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.Equal(WorkflowResult.VerificationFailed, workflow.Result);
        Assert.Contains(workflow.Mismatches, m => m.Name == "Device.Ethernet.VLANTermination.1.VLANID");
    }

    [Fact]
    public async Task A_device_that_does_not_answer_its_connection_request_is_unreachable()
    {
        var serial = fixture.NewSerial("OFF");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, new CpeBehavior { ConnectionRequests = ConnectionRequestMode.Ignore });
        Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);

        Assert.Equal(WorkflowResult.DeviceUnreachable, workflow.Result);
        Assert.Equal(WorkflowStep.Authenticate, workflow.FailedStep);
    }

    [Fact]
    public async Task An_unregistered_device_bootstrapping_is_on_record_as_unknown_and_its_session_is_not_held()
    {
        var serial = fixture.NewSerial("UNK");
        var cpe = fixture.AddDevice(serial, bootstrapCredential: true);

        var started = DateTime.UtcNow;
        var session = await cpe.BootstrapAsync();

        Assert.True(session.Succeeded, session.ToString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
        // Counted in the device's record, not given a workflow (a flood of junk bootstraps costs bounded storage).
        DeviceHistory history = new();
        for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline && history.Contacts.Count == 0; await Task.Delay(200))
            history = await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
        Assert.Equal("unknown_device", Assert.Single(history.Contacts).Reason);
        Assert.Empty((await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial })).Workflows);
    }

    [Fact]
    public async Task A_device_without_a_plan_ends_no_profile()
    {
        var serial = fixture.NewSerial("NOP");
        await fixture.RegisterAsync(serial, plan: "plan-that-does-not-exist", withPlan: false);
        var cpe = fixture.AddDevice(serial);

        await cpe.BootstrapAsync();
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.Equal(WorkflowResult.NoProfile, workflow.Result);
    }

    [Fact]
    public async Task A_wrong_device_password_is_refused_and_starts_nothing()
    {
        var serial = fixture.NewSerial("PWD");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, configure: o => o with { Password = "guess" });

        var session = await cpe.BootstrapAsync();

        Assert.False(session.Succeeded);
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Empty(workflows.Workflows);
    }
}

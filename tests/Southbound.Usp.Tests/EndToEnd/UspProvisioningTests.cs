using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.EndToEnd;

/// <summary>Provisioning of USP agents through the northbound gRPC API, the orchestrator and this controller.</summary>
[Collection(nameof(UspSystemCollection))]
public sealed class UspProvisioningTests(UspSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] SuccessEvents =
        ["ProvisioningRequested", "DeviceAuthenticated", "ServiceProfileFetched", "ConfigPushed", "ConfigVerified", "ProvisioningSucceeded"];

    private async Task<Workflow> FirstTerminalAsync(string serial) =>
        await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_new_registered_agent_is_provisioned_zero_touch(bool overMqtt)
    {
        var serial = fixture.NewSerial(overMqtt ? "ZTM" : "ZTW");
        await fixture.RegisterAsync(serial);
        var agent = fixture.StartAgent(serial, overMqtt);

        var workflow = await FirstTerminalAsync(serial);
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(WorkflowTrigger.ZeroTouch, workflow.Trigger);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(SuccessEvents, events.Select(e => e.PayloadCase.ToString()));
        Assert.Contains(overMqtt ? "mqtt_connect" : "websocket_connect", events[0].ProvisioningRequested.EventCodes);
        Assert.Equal("Usp-24", agent.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal("usp-wifi-secret-5G", agent.DataModel["Device.WiFi.AccessPoint.2.Security.KeyPassphrase"]);
        Assert.Equal("usp-sip-secret", agent.DataModel["Device.Services.VoiceService.1.SIP.Client.1.AuthPassword"]);
        Assert.Equal("3600", agent.DataModel["Device.LocalAgent.Controller.1.PeriodicNotifInterval"]);
        // The agent will announce its next boots: the persistent Boot! subscription exists.
        Assert.Contains(agent.DataModel.Snapshot(), p => p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal) && p.Value == "Device.Boot!");
    }

    [Fact]
    public async Task A_connected_agent_is_provisioned_on_request_of_the_OSS()
    {
        var serial = fixture.NewSerial("OSS");
        await fixture.RegisterAsync(serial);
        var agent = fixture.StartAgent(serial);
        Assert.Equal(WorkflowResult.Success, (await FirstTerminalAsync(serial)).Result);

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = UspSystemFixture.Ref(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(WorkflowTrigger.Oss, workflow.Trigger);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(SuccessEvents, events.Select(e => e.PayloadCase.ToString()));
        Assert.True(agent.IsConnected);
    }

    [Theory]
    [InlineData(7004u)]
    [InlineData(7012u)]
    [InlineData(7013u)]
    public async Task A_usp_error_ends_in_config_push_failed_with_its_code(uint code)
    {
        var serial = fixture.NewSerial("ERR");
        await fixture.RegisterAsync(serial);
        fixture.StartAgent(serial, prepare: a => a.InjectError("Device.WiFi.SSID.2.SSID", code));

        var workflow = await FirstTerminalAsync(serial);
        Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
        var failed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Last().ProvisioningFailed;
        Assert.Equal(WorkflowStep.PushConfig, failed.Step);
        Assert.Equal(code, failed.FaultCode);
        var parameterFault = Assert.Single(failed.ParameterFaults);
        Assert.Equal(("Device.WiFi.SSID.2.SSID", code), (parameterFault.Name, parameterFault.FaultCode));
    }

    [Fact]
    public async Task A_value_silently_not_applied_ends_in_verification_failed()
    {
        var serial = fixture.NewSerial("LIE");
        await fixture.RegisterAsync(serial);
        fixture.StartAgent(serial, prepare: a => a.IgnoreWritesTo("Device.Ethernet.VLANTermination.1.VLANID"));

        var workflow = await FirstTerminalAsync(serial);
        Assert.Equal(WorkflowResult.VerificationFailed, workflow.Result);
        Assert.Contains(workflow.Mismatches, m => m.Name == "Device.Ethernet.VLANTermination.1.VLANID");
    }

    [Fact]
    public async Task An_agent_whose_error_carries_control_characters_fails_its_workflow_with_a_printable_reason()
    {
        var serial = fixture.NewSerial("NUL");
        await fixture.RegisterAsync(serial);
        await using var agent = await RawAgent.ConnectAsync(fixture.System.UspWebSocketUrl, UspSystemFixture.Ref(serial).EndpointId, request =>
            request.ReqTypeCase switch
            {
                _ when RawAgent.AsksOnlyForDeviceInfo(request) => RawAgent.DeviceInfo(serial, "HGW-USP"),
                // Where the plan's periodic interval goes (the controller's own entry, found before the Set).
                _ when RawAgent.AsksForControllerTable(request) => RawAgent.ControllerTable(fixture.System.UspControllerEndpointId),
                Provisioning.Usp.Messages.Request.ReqTypeOneofCase.Set => new Provisioning.Usp.Messages.Msg
                {
                    Header = new Provisioning.Usp.Messages.Header { MsgType = Provisioning.Usp.Messages.Header.Types.MsgType.Error },
                    Body = new Provisioning.Usp.Messages.Body
                    {
                        Error = new Provisioning.Usp.Messages.Error
                        {
                            ErrCode = 7012, ErrMsg = "bad\0value\u001b[2J",
                            ParamErrs = { new Provisioning.Usp.Messages.Error.Types.ParamError { ParamPath = "Device.WiFi.SSID.1.SSID\0", ErrCode = 7012, ErrMsg = "\0" } },
                        },
                    },
                },
                _ => RawAgent.Error(7026, "not here"),
            });

        var workflow = await FirstTerminalAsync(serial);

        Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
        Assert.Equal(7012u, workflow.FaultCode);
        Assert.Contains("bad", workflow.FailureReason);
        Assert.DoesNotContain(workflow.FailureReason, char.IsControl);
        Assert.Equal("Device.WiFi.SSID.1.SSID", Assert.Single(workflow.ParameterFaults).Name);
    }

    [Fact]
    public async Task An_agent_answering_a_serial_number_with_a_NUL_ends_unknown_device_with_a_printable_reason()
    {
        var serial = fixture.NewSerial("NULSN");
        await fixture.RegisterAsync(serial);
        await using var agent = await RawAgent.ConnectAsync(fixture.System.UspWebSocketUrl, UspSystemFixture.Ref(serial).EndpointId, request =>
            RawAgent.AsksOnlyForDeviceInfo(request) ? RawAgent.DeviceInfo(serial + "\0\u001b[2J", "HGW-USP") : RawAgent.Error(7026, "not here"));

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = UspSystemFixture.Ref(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);

        Assert.Equal(WorkflowResult.UnknownDevice, workflow.Result);
        Assert.DoesNotContain(workflow.FailureReason, char.IsControl);
        Assert.Contains(serial, workflow.FailureReason);
    }

    [Fact]
    public async Task An_agent_that_is_not_connected_is_unreachable()
    {
        var serial = fixture.NewSerial("OFF");
        await fixture.RegisterAsync(serial);
        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = UspSystemFixture.Ref(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);
        Assert.Equal(WorkflowResult.DeviceUnreachable, workflow.Result);
        Assert.Equal(WorkflowStep.Authenticate, workflow.FailedStep);
    }

    [Fact]
    public async Task An_agent_reconnecting_mid_workflow_is_still_provisioned()
    {
        var serial = fixture.NewSerial("REC");
        await fixture.RegisterAsync(serial);
        var agent = fixture.StartAgent(serial);
        Assert.Equal(WorkflowResult.Success, (await FirstTerminalAsync(serial)).Result);

        agent.ResponseDelay = TimeSpan.FromSeconds(1.5);
        var before = agent.Statistics.Requests;
        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = UspSystemFixture.Ref(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        // The connection drops while the agent holds a request of the workflow; it reconnects with backoff.
        await agent.WaitUntilAsync(a => a.Statistics.Requests > before, TimeSpan.FromSeconds(10));
        agent.DropConnection();
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.True(agent.Statistics.Connects >= 2);
    }

    [Fact]
    public async Task An_agent_not_in_the_inventory_is_refused_and_starts_nothing()
    {
        var serial = fixture.NewSerial("UNK");
        var agent = fixture.StartAgent(serial);
        // Refused before the upgrade (issue 15 item 4), with a Retry-After the agent backs off from.
        await agent.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(10));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, agent.LastRefusal!.Status);
        Assert.NotNull(agent.LastRefusal.RetryAfter);
        Assert.Equal(0, agent.Statistics.Connects);
        var page = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, PageSize = 10 });
        Assert.Empty(page.Workflows);
    }
}

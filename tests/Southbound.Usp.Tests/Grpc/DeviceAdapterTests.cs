using System.Diagnostics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Grpc;

/// <summary>The southbound gRPC contract against simulated agents over real WebSockets.</summary>
public sealed class DeviceAdapterTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static DeviceRef Ref(SimulatedUspAgent agent) => new()
    {
        EndpointId = agent.EndpointId,
        SerialNumber = agent.Identity.SerialNumber,
        Oui = agent.Identity.Oui,
        Protocol = DeviceProtocol.Usp,
    };

    private static DateTime Deadline(double seconds = 5) => DateTime.UtcNow.AddSeconds(seconds);

    private async Task<SimulatedUspAgent> ConnectedAgentAsync(string serial, Action<SimulatedUspAgent>? prepare = null, string? secret = null)
    {
        var agent = _host.StartAgent(serial, prepare: prepare, secret: secret);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        return agent;
    }

    private static PushConfigRequest Push(SimulatedUspAgent agent, params (string Name, string Value, ParameterType Type, bool Secret)[] parameters)
    {
        var request = new PushConfigRequest { Device = Ref(agent), WorkflowId = "wf-1", ParameterKey = "wf-1" };
        foreach (var (name, value, type, secret) in parameters)
            request.Parameters.Add(new ParameterValue { Name = name, Value = value, Type = type, Secret = secret });
        return request;
    }

    private static readonly (string, string, ParameterType, bool)[] Profile =
    [
        ("Device.WiFi.SSID.1.SSID", "home-net", ParameterType.String, false),
        ("Device.WiFi.SSID.1.Enable", "true", ParameterType.Boolean, false),
        ("Device.WiFi.AccessPoint.1.Security.ModeEnabled", "WPA2-Personal", ParameterType.String, false),
        ("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "s3cret-key", ParameterType.String, true),
        ("Device.Services.VoiceService.1.SIP.Client.1.AuthPassword", "sip-pass", ParameterType.String, true),
        ("Device.Ethernet.VLANTermination.1.VLANID", "100", ParameterType.UnsignedInt, false),
        ("Device.LocalAgent.Controller.1.PeriodicNotifInterval", "3600", ParameterType.UnsignedInt, false),
    ];

    [Fact]
    public async Task Authenticate_returns_the_identity_of_a_connected_agent()
    {
        var agent = await ConnectedAgentAsync("AUTH1");
        var response = await _host.Adapter.AuthenticateAsync(new AuthenticateRequest { Device = Ref(agent), WorkflowId = "wf" }, deadline: Deadline());
        Assert.Null(response.Failure);
        Assert.Equal(ReachedVia.MtpConnection, response.ReachedVia);
        Assert.Equal("AUTH1", response.Identity.Device.SerialNumber);
        Assert.Equal("USP-Gateway-1", response.Identity.Model);
        Assert.Equal("2.4.1", response.Identity.FirmwareVersion);
        Assert.Equal("Device.", response.Identity.DataModelRoot);
    }

    [Fact]
    public async Task Authenticate_of_an_agent_that_is_not_connected_is_unreachable_before_the_deadline()
    {
        var started = Stopwatch.StartNew();
        // A deadline roomy enough for a loaded CI box; the answer must still come as a typed failure before it.
        var response = await _host.Adapter.AuthenticateAsync(new AuthenticateRequest { Device = new DeviceRef { EndpointId = "os::00D09E-NOBODY" } }, deadline: Deadline(4));
        Assert.Equal(FailureKind.Unreachable, response.Failure.Kind);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Authenticate_waits_for_an_agent_that_reconnects_within_the_deadline()
    {
        var agent = _host.CreateAgent("LATE1");
        _host.Orchestrator.Registered[agent.EndpointId] = true;
        var call = _host.Adapter.AuthenticateAsync(new AuthenticateRequest { Device = Ref(agent) }, deadline: Deadline(5)).ResponseAsync;
        await Task.Delay(300);
        agent.Start();
        var response = await call;
        Assert.Null(response.Failure);
        Assert.Equal("LATE1", response.Identity.Device.SerialNumber);
    }

    [Fact]
    public async Task PushConfig_sets_the_values_and_Verify_reads_them_back_with_secrets_empty()
    {
        var agent = await ConnectedAgentAsync("PUSH1");
        var push = await _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline());
        Assert.Null(push.Failure);

        Assert.Equal("home-net", agent.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal("s3cret-key", agent.DataModel["Device.WiFi.AccessPoint.1.Security.KeyPassphrase"]);
        Assert.Equal("100", agent.DataModel["Device.Ethernet.VLANTermination.1.VLANID"]);

        var verify = new VerifyRequest { Device = Ref(agent), WorkflowId = "wf-1" };
        verify.ParameterNames.AddRange(Profile.Select(p => p.Item1));
        var read = await _host.Adapter.VerifyAsync(verify, deadline: Deadline());
        Assert.Null(read.Failure);
        var values = read.Values.ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal("home-net", values["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal("true", values["Device.WiFi.SSID.1.Enable"]);
        Assert.Equal("", values["Device.WiFi.AccessPoint.1.Security.KeyPassphrase"]);
        Assert.Equal("3600", values["Device.LocalAgent.Controller.1.PeriodicNotifInterval"]);
    }

    [Theory]
    [InlineData(7004u)]
    [InlineData(7012u)]
    [InlineData(7013u)]
    public async Task A_usp_error_becomes_a_device_fault_with_its_code_and_nothing_is_applied(uint code)
    {
        var agent = await ConnectedAgentAsync("FAULT" + code, a => a.InjectError("Device.WiFi.SSID.1.SSID", code));
        var push = await _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline());
        Assert.Equal(FailureKind.DeviceFault, push.Failure.Kind);
        Assert.Equal(code, push.Failure.FaultCode);
        var fault = Assert.Single(push.Failure.ParameterFaults);
        Assert.Equal("Device.WiFi.SSID.1.SSID", fault.Name);
        Assert.Equal(code, fault.FaultCode);
        Assert.DoesNotContain("s3cret-key", push.Failure.ToString());
        Assert.NotEqual("home-net", agent.DataModel["Device.WiFi.SSID.1.SSID"]);
    }

    [Fact]
    public async Task An_invalid_value_is_refused_by_the_agent_with_7012()
    {
        var agent = await ConnectedAgentAsync("BADVAL1");
        var push = await _host.Adapter.PushConfigAsync(Push(agent, ("Device.Ethernet.VLANTermination.2.VLANID", "not-a-number", ParameterType.UnsignedInt, false)), deadline: Deadline());
        Assert.Equal(7012u, push.Failure.FaultCode);
    }

    [Fact]
    public async Task A_value_silently_not_applied_reads_back_unchanged()
    {
        var agent = await ConnectedAgentAsync("SILENT1", a => a.IgnoreWritesTo("Device.WiFi.SSID.1.SSID"));
        var push = await _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline());
        Assert.Null(push.Failure);
        var read = await _host.Adapter.VerifyAsync(new VerifyRequest { Device = Ref(agent), ParameterNames = { "Device.WiFi.SSID.1.SSID" } }, deadline: Deadline());
        Assert.NotEqual("home-net", Assert.Single(read.Values).Value);
    }

    [Fact]
    public async Task A_missing_multi_instance_object_is_added_with_the_instance_the_agent_assigns()
    {
        var agent = await ConnectedAgentAsync("ADD1", a => a.DataModel.RemoveObject("Device.Ethernet.VLANTermination.3."));
        var push = await _host.Adapter.PushConfigAsync(Push(agent,
            ("Device.Ethernet.VLANTermination.3.Enable", "true", ParameterType.Boolean, false),
            ("Device.Ethernet.VLANTermination.3.VLANID", "300", ParameterType.UnsignedInt, false),
            ("Device.WiFi.SSID.2.SSID", "five", ParameterType.String, false)), deadline: Deadline());
        Assert.Null(push.Failure);

        // The simulator numbers new instances after the highest it ever used: 4.
        Assert.Equal("300", agent.DataModel["Device.Ethernet.VLANTermination.4.VLANID"]);
        Assert.Equal("five", agent.DataModel["Device.WiFi.SSID.2.SSID"]);
        var read = await _host.Adapter.VerifyAsync(new VerifyRequest { Device = Ref(agent), ParameterNames = { "Device.Ethernet.VLANTermination.3.VLANID" } }, deadline: Deadline());
        Assert.Equal("300", Assert.Single(read.Values).Value);
    }

    [Fact]
    public async Task A_missing_instance_above_the_object_set_is_added_and_its_sub_object_set_in_the_new_instance()
    {
        var agent = await ConnectedAgentAsync("ADD2", a => a.DataModel.RemoveObject("Device.WiFi.AccessPoint.2."));
        var push = await _host.Adapter.PushConfigAsync(Push(agent,
            ("Device.WiFi.SSID.2.SSID", "five", ParameterType.String, false),
            ("Device.WiFi.AccessPoint.2.Security.ModeEnabled", "WPA3-Personal", ParameterType.String, false),
            ("Device.WiFi.AccessPoint.2.Security.KeyPassphrase", "five-key", ParameterType.String, true)), deadline: Deadline());
        Assert.Null(push.Failure);
        var created = Assert.Single(push.CreatedInstances);
        Assert.Equal(("Device.WiFi.AccessPoint.2.", "Device.WiFi.AccessPoint.4."), (created.Requested, created.Actual));

        // AccessPoint.2. did not exist: created (as 4, after the highest the agent ever used), then its Security object set there.
        Assert.Equal("WPA3-Personal", agent.DataModel["Device.WiFi.AccessPoint.4.Security.ModeEnabled"]);
        Assert.Equal("five-key", agent.DataModel["Device.WiFi.AccessPoint.4.Security.KeyPassphrase"]);
        Assert.NotEqual("five-key", agent.DataModel["Device.WiFi.AccessPoint.3.Security.KeyPassphrase"]); // not the existing instance 3
        Assert.Equal("five", agent.DataModel["Device.WiFi.SSID.2.SSID"]);
        var read = await _host.Adapter.VerifyAsync(new VerifyRequest { Device = Ref(agent), ParameterNames = { "Device.WiFi.AccessPoint.2.Security.ModeEnabled" } }, deadline: Deadline());
        Assert.Equal("WPA3-Personal", Assert.Single(read.Values).Value);
    }

    [Fact]
    public async Task A_set_failing_for_a_reason_other_than_missing_objects_keeps_the_agents_error()
    {
        var agent = await ConnectedAgentAsync("ADD3");
        var before = agent.DataModel.Snapshot().Keys.Order().ToList();
        var push = await _host.Adapter.PushConfigAsync(Push(agent,
            ("Device.WiFi.SSID.1.NoSuchParameter", "x", ParameterType.String, false)), deadline: Deadline());
        Assert.Equal(FailureKind.DeviceFault, push.Failure.Kind);
        Assert.NotEqual(0u, push.Failure.FaultCode);
        Assert.Equal(before, agent.DataModel.Snapshot().Keys.Order().ToList()); // no instance was created for it
    }

    [Fact]
    public async Task A_slow_agent_fails_the_step_with_a_timeout()
    {
        var agent = await ConnectedAgentAsync("SLOW1");
        agent.ResponseDelay = TimeSpan.FromSeconds(3);
        var push = await _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline(2));
        Assert.Equal(FailureKind.Timeout, push.Failure.Kind);
    }

    [Fact]
    public async Task A_reconnect_mid_request_fails_the_old_request_at_once_and_the_step_completes_on_the_new_connection()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Telemetry.UspTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var agent = await ConnectedAgentAsync("RECON1", secret: "recon1-secret");
        agent.ResponseDelay = TimeSpan.FromSeconds(4);
        var before = agent.Statistics.Requests;
        var started = Stopwatch.StartNew();
        var pending = _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline(10)).ResponseAsync;
        await UspTestHost.EventuallyAsync(() => agent.Statistics.Requests > before, "the Set reached the slow agent");

        // The same agent connects again (e.g. after a NAT rebinding): the newest connection that authenticates wins.
        var again = _host.StartAgent("RECON1", secret: "recon1-secret");
        var push = await pending;
        Assert.Null(push.Failure);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), "the old request failed at once instead of waiting for its answer");
        Assert.Equal("home-net", again.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.Contains(spans, s => s.OperationName == "usp.Set" && s.Status == ActivityStatusCode.Error && s.StatusDescription!.Contains("disconnected"));
        Assert.Contains(spans, s => s.OperationName == "usp.Set" && s.Status != ActivityStatusCode.Error);
    }

    [Fact]
    public async Task A_dropped_agent_that_does_not_come_back_fails_the_step_as_unreachable()
    {
        var agent = await ConnectedAgentAsync("GONE1");
        agent.ResponseDelay = TimeSpan.FromSeconds(4);
        var before = agent.Statistics.Requests;
        var pending = _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline(3)).ResponseAsync;
        await UspTestHost.EventuallyAsync(() => agent.Statistics.Requests > before, "the Set reached the slow agent");
        await agent.StopAsync();
        var push = await pending;
        Assert.Equal(FailureKind.Unreachable, push.Failure.Kind);
    }

    [Fact]
    public async Task Reboot_runs_the_command_and_the_agent_comes_back_with_Boot()
    {
        var agent = await ConnectedAgentAsync("REBOOT1");
        var response = await _host.Adapter.RebootAsync(new RebootRequest { Device = Ref(agent), CommandKey = "reboot-1" }, deadline: Deadline());
        Assert.Null(response.Failure);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.EventCodesOf(agent.EndpointId).Contains("Boot!"), "Boot! after the reboot");
    }

    /// <summary>The whole upgrade (banks, failures, old version, timeouts) is in FirmwareUpgradeTests; here the contract's shape.</summary>
    [Fact]
    public async Task DownloadFirmware_answers_the_transfer_and_the_version_after_the_reboot()
    {
        var agent = await ConnectedAgentAsync("FW1");
        // A host under .example stands for a valid image the simulator does not fetch; its version is the file's name.
        var response = await _host.Adapter.DownloadFirmwareAsync(new DownloadFirmwareRequest { Device = Ref(agent), CommandKey = "fw-1", Url = "http://fw.example/gw-7.2.bin" }, deadline: Deadline(15));
        Assert.Null(response.Failure);
        Assert.Equal(("fw-1", 0u), (response.Transfer.CommandKey, response.Transfer.FaultCode));
        Assert.Equal("gw-7.2", response.FirmwareVersionAfter);

        agent.InjectError("Device.DeviceInfo.FirmwareImage.1.Download()", 7022); // bank 1 is the spare one now
        var failed = await _host.Adapter.DownloadFirmwareAsync(new DownloadFirmwareRequest { Device = Ref(agent), CommandKey = "fw-2", Url = "http://fw.example/image.bin" }, deadline: Deadline());
        Assert.Equal(7022u, failed.Failure.FaultCode);
    }

    [Fact]
    public async Task Usp_request_spans_are_children_of_the_calling_trace_and_carry_endpoint_and_msg_id()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Telemetry.UspTelemetry.Name || s.Name == "Microsoft.AspNetCore" || s.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var agent = await ConnectedAgentAsync("SPAN1", a => a.InjectError("Device.WiFi.SSID.1.SSID", 7013));

        using var source = new ActivitySource("test");
        ActivityTraceId traceId;
        using (var parent = source.StartActivity("step"))
        {
            traceId = parent!.TraceId;
            await _host.Adapter.PushConfigAsync(Push(agent, Profile), deadline: Deadline());
        }
        var set = Assert.Single(spans, s => s.OperationName == "usp.Set" && s.TraceId == traceId);
        Assert.Equal(agent.EndpointId, set.GetTagItem("usp.endpoint_id"));
        Assert.False(string.IsNullOrEmpty(set.GetTagItem("usp.msg_id") as string));
        Assert.Equal(7013L, set.GetTagItem("usp.error_code"));
        Assert.Equal(ActivityStatusCode.Error, set.Status);
        Assert.DoesNotContain(spans.SelectMany(s => s.TagObjects), t => t.Value is string v && v.Contains("s3cret-key"));
        Assert.Contains(spans, s => s.DisplayName is "usp.first_contact" or "usp.OnBoardRequest" && (string?)s.GetTagItem("usp.endpoint_id") == agent.EndpointId);
    }
}

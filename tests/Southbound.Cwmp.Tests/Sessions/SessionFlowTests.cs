using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.DataModel;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

public sealed class SessionFlowTests
{
    private static readonly ParameterValue[] WifiConfig =
    [
        new() { Name = "Device.WiFi.SSID.1.SSID", Value = "HomeNet", Type = ParameterType.String },
        new() { Name = "Device.WiFi.SSID.1.Enable", Value = "true", Type = ParameterType.Boolean },
        new() { Name = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", Value = "correct horse", Type = ParameterType.String, Secret = true },
        new() { Name = "Device.Ethernet.VLANTermination.1.VLANID", Value = "100", Type = ParameterType.UnsignedInt },
    ];

    [Fact]
    public async Task An_inform_is_reported_with_its_events_and_an_idle_session_ends_with_204()
    {
        await using var h = await AcsHarness.StartAsync();
        var cpe = h.AddDevice("SN-IDLE");

        var result = await cpe.BootstrapAsync();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Empty(result.RequestsFromAcs);
        var report = Assert.Single(h.Orchestrator.Reports);
        Assert.Equal(["0 BOOTSTRAP", "1 BOOT"], report.EventCodes);
        Assert.Equal("SN-IDLE", report.Identity.Device.SerialNumber);
        Assert.Equal("00D09E", report.Identity.Device.Oui);
        Assert.Equal("SIM-1000", report.Identity.Model);
        Assert.Equal("1.0.0", report.Identity.FirmwareVersion);
        Assert.Equal("Device.", report.Identity.DataModelRoot);
        Assert.Equal(cpe.ConnectionRequestUrl, report.Identity.Endpoint);
    }

    [Fact]
    public async Task A_held_session_runs_the_workflows_rpcs_and_ends_on_release()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-1", Registered = true };
        var cpe = h.AddDevice("SN-HELD");

        var session = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-HELD");

        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-HELD"), WorkflowId = "wf-1" }, deadline: AcsHarness.Deadline());
        Assert.Null(auth.Failure);
        Assert.Equal(ReachedVia.LiveSession, auth.ReachedVia);
        Assert.Equal("SN-HELD", auth.Identity.Device.SerialNumber);

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-HELD"), WorkflowId = "wf-1", ParameterKey = "wf-1" };
        push.Parameters.Add(WifiConfig);
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline());
        Assert.Null(pushed.Failure);
        Assert.Equal(0, pushed.ApplyStatus);

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-HELD"), WorkflowId = "wf-1" };
        verify.ParameterNames.Add(WifiConfig.Select(p => p.Name));
        var verified = await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline());
        Assert.Null(verified.Failure);
        Assert.Equal(["HomeNet", "true", "", "100"], verified.Values.Select(v => v.Value));
        Assert.Equal(ParameterType.Boolean, verified.Values[1].Type);

        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-HELD"), WorkflowId = "wf-1" });
        var result = await session.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(["SetParameterValues", "GetParameterValues"], result.RequestsFromAcs);
        Assert.Equal("wf-1", cpe.ParameterKey);
        Assert.Equal("correct horse", cpe.GetValue("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));
    }

    [Fact]
    public async Task Values_applied_only_after_a_reboot_get_the_reboot_before_push_returns_and_verify_runs_in_the_session_after_it()
    {
        await using var h = await AcsHarness.StartAsync();
        var (cpe, first) = await h.HeldSessionAsync("SN-APPLY", "wf-apply", new CpeBehavior { ApplyAfterReboot = true });

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-APPLY"), WorkflowId = "wf-apply", ParameterKey = "k-apply" };
        push.Parameters.Add(WifiConfig);
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline());

        Assert.Null(pushed.Failure);
        Assert.Equal(1, pushed.ApplyStatus);
        // Back from the reboot.
        var rebooted = await h.Orchestrator.WaitForReportAsync(r => r.EventCodes.Contains("M Reboot"));
        Assert.Contains("1 BOOT", rebooted.EventCodes);

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-APPLY"), WorkflowId = "wf-apply" };
        verify.ParameterNames.Add("Device.WiFi.SSID.1.SSID");
        var verified = await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline());
        Assert.Null(verified.Failure);
        Assert.Equal("HomeNet", Assert.Single(verified.Values).Value);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-APPLY"), WorkflowId = "wf-apply" });
        Assert.True((await first.WaitAsync(TimeSpan.FromSeconds(5))).Succeeded); // the bootstrap and the reboot's session
        Assert.Equal(["SetParameterValues", "Reboot"], cpe.History[0].RequestsFromAcs);
        Assert.Equal(["GetParameterValues"], cpe.History[1].RequestsFromAcs); // the held session after the reboot, no Connection Request
    }

    [Fact]
    public async Task Instances_the_cpe_lacks_are_added_and_the_push_and_reads_use_the_numbers_it_assigned()
    {
        await using var h = await AcsHarness.StartAsync();
        var (cpe, session) = await h.HeldSessionAsync("SN-ADD", "wf-add", prepare: c =>
        {
            c.RemoveObject("Device.WiFi.AccessPoint.2.");
            c.RemoveObject("Device.Services.VoiceService.1.SIP.Client.2.");
        });

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-ADD"), WorkflowId = "wf-add", ParameterKey = "k-add" };
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.2.SSID", Value = "Home-5G", Type = ParameterType.String });
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.AccessPoint.2.Security.ModeEnabled", Value = "WPA3-Personal", Type = ParameterType.String });
        push.Parameters.Add(new ParameterValue { Name = "Device.Services.VoiceService.1.SIP.Client.2.AuthUserName", Value = "line2", Type = ParameterType.String });
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline());
        Assert.Null(pushed.Failure);
        // Reported for the workflow's events (the SIP client got the number asked for: not a renumbering).
        var renumbered = Assert.Single(pushed.CreatedInstances);
        Assert.Equal(("Device.WiFi.AccessPoint.2.", "Device.WiFi.AccessPoint.4."), (renumbered.Requested, renumbered.Actual));

        // The CPE numbers a new instance after the highest it has: AccessPoint 4 (3 exists), SIP client 2 (only 1 exists).
        Assert.Equal("WPA3-Personal", cpe.GetValue("Device.WiFi.AccessPoint.4.Security.ModeEnabled"));
        Assert.Equal("line2", cpe.GetValue("Device.Services.VoiceService.1.SIP.Client.2.AuthUserName"));
        Assert.Equal("Home-5G", cpe.GetValue("Device.WiFi.SSID.2.SSID"));
        Assert.Equal("k-add", cpe.ParameterKey);

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-ADD"), WorkflowId = "wf-add" };
        verify.ParameterNames.Add(["Device.WiFi.AccessPoint.2.Security.ModeEnabled", "Device.Services.VoiceService.1.SIP.Client.2.AuthUserName"]);
        var verified = await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline());
        Assert.Null(verified.Failure);
        Assert.Equal([("Device.WiFi.AccessPoint.2.Security.ModeEnabled", "WPA3-Personal"), ("Device.Services.VoiceService.1.SIP.Client.2.AuthUserName", "line2")],
            verified.Values.Select(v => (v.Name, v.Value)));

        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-ADD"), WorkflowId = "wf-add" });
        var result = await session.WaitAsync(TimeSpan.FromSeconds(5));
        // Probed: AccessPoint.2. (missing: added), VoiceService.1. (there), SIP.Client.2. (missing: added); then the push again.
        Assert.Equal(["SetParameterValues", "GetParameterNames", "AddObject", "GetParameterNames", "GetParameterNames", "AddObject", "SetParameterValues", "GetParameterValues"],
            result.RequestsFromAcs);
    }

    [Fact]
    public async Task A_verify_carrying_the_pushs_numbering_reads_there_on_an_acs_that_did_not_create_it()
    {
        await using var h = await AcsHarness.StartAsync();
        var (_, session) = await h.HeldSessionAsync("SN-NUM", "wf-num");

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-NUM"), WorkflowId = "wf-num" };
        verify.ParameterNames.Add("Device.WiFi.SSID.7.SSID");
        verify.Instances.Add(new InstanceNumbering { Requested = "Device.WiFi.SSID.7.", Actual = "Device.WiFi.SSID.3." });
        var verified = await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline());

        Assert.Null(verified.Failure);
        Assert.Equal(("Device.WiFi.SSID.7.SSID", "SN-NUM-3"), (verified.Values[0].Name, verified.Values[0].Value));
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-NUM"), WorkflowId = "wf-num" });
        Assert.True((await session.WaitAsync(TimeSpan.FromSeconds(5))).Succeeded);
    }

    [Fact]
    public async Task A_push_carrying_the_devices_known_numbering_writes_there_without_creating_anything()
    {
        await using var h = await AcsHarness.StartAsync();
        // AccessPoint.2. was created earlier as AccessPoint.3, by another ACS instance.
        var (cpe, session) = await h.HeldSessionAsync("SN-KNOWN", "wf-known", prepare: c => c.RemoveObject("Device.WiFi.AccessPoint.2."));

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-KNOWN"), WorkflowId = "wf-known", ParameterKey = "k-known" };
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.AccessPoint.2.Security.ModeEnabled", Value = "WPA2-Personal", Type = ParameterType.String });
        push.Instances.Add(new InstanceNumbering { Requested = "Device.WiFi.AccessPoint.2.", Actual = "Device.WiFi.AccessPoint.3." });
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline());

        Assert.Null(pushed.Failure);
        Assert.Empty(pushed.CreatedInstances);
        Assert.Equal("WPA2-Personal", cpe.GetValue("Device.WiFi.AccessPoint.3.Security.ModeEnabled"));
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-KNOWN"), WorkflowId = "wf-known" });
        Assert.Equal(["SetParameterValues"], (await session.WaitAsync(TimeSpan.FromSeconds(5))).RequestsFromAcs);
    }

    [Fact]
    public async Task A_misspelt_parameter_is_not_mistaken_for_a_missing_instance()
    {
        await using var h = await AcsHarness.StartAsync();
        var (_, session) = await h.HeldSessionAsync("SN-TYPO", "wf-typo");

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-TYPO"), WorkflowId = "wf-typo", ParameterKey = "k-typo" };
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.1.SSIDD", Value = "x", Type = ParameterType.String });
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline());

        Assert.Equal(FailureKind.DeviceFault, pushed.Failure.Kind);
        Assert.Equal(("Device.WiFi.SSID.1.SSIDD", 9005u), (pushed.Failure.ParameterFaults[0].Name, pushed.Failure.ParameterFaults[0].FaultCode));
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-TYPO"), WorkflowId = "wf-typo" });
        var result = await session.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["SetParameterValues", "GetParameterNames"], result.RequestsFromAcs); // SSID.1. exists: nothing added
    }

    [Fact]
    public async Task A_parameter_fault_comes_back_as_a_device_fault_with_parameter_faults()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-2" };
        var cpe = h.AddDevice("SN-FAULT", new CpeBehavior().WithFault("Device.WiFi.SSID.1.SSID", 9007));

        var session = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-FAULT");
        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-FAULT"), WorkflowId = "wf-2", ParameterKey = "wf-2" };
        push.Parameters.Add(WifiConfig);
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline());

        Assert.Equal(FailureKind.DeviceFault, pushed.Failure.Kind);
        Assert.Equal(9003u, pushed.Failure.FaultCode);
        var fault = Assert.Single(pushed.Failure.ParameterFaults);
        Assert.Equal(("Device.WiFi.SSID.1.SSID", 9007u), (fault.Name, fault.FaultCode));
        Assert.Equal("", cpe.ParameterKey); // not stored on failure
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FAULT") });
        Assert.True((await session.WaitAsync(TimeSpan.FromSeconds(5))).Succeeded);
    }

    [Fact]
    public async Task An_idle_device_is_woken_by_a_connection_request_and_its_rpcs_run_in_the_new_session()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-CR"] = new InventoryEntry("SN-CR");
        var cpe = h.AddDevice("SN-CR", configure: o => o with { DataModel = DataModelKind.Tr098 });
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-CR"), WorkflowId = "wf-3" }, deadline: AcsHarness.Deadline());

        Assert.Null(auth.Failure);
        Assert.Equal(ReachedVia.ConnectionRequest, auth.ReachedVia);
        Assert.Equal("InternetGatewayDevice.", auth.Identity.DataModelRoot);
        await h.Orchestrator.WaitForReportAsync(r => r.EventCodes.Contains("6 CONNECTION REQUEST"));

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-CR"), WorkflowId = "wf-3", ParameterKey = "k3" };
        push.Parameters.Add(new ParameterValue { Name = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", Value = "Legacy" });
        Assert.Null((await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline())).Failure);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-CR"), WorkflowId = "wf-3" });
        await cpe.WaitForSessionsAsync(2, TimeSpan.FromSeconds(5));
        Assert.Equal("Legacy", cpe.GetValue("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"));
        Assert.Equal(["SetParameterValues"], cpe.History[1].RequestsFromAcs);
    }

    [Fact]
    public async Task A_device_that_ignores_connection_requests_is_unreachable_by_the_deadline()
    {
        await using var h = await AcsHarness.StartAsync();
        var cpe = h.AddDevice("SN-DEAF", new CpeBehavior { ConnectionRequests = ConnectionRequestMode.Ignore });
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        var started = DateTime.UtcNow;
        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-DEAF") }, deadline: AcsHarness.Deadline(3));

        Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
        Assert.Contains($"Connection Request to {cpe.ConnectionRequestUrl.TrimEnd('/')}", auth.Failure.FaultString);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_device_that_never_informed_is_unreachable_at_once()
    {
        await using var h = await AcsHarness.StartAsync();
        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-NEVER") }, deadline: AcsHarness.Deadline(5));
        Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
    }

    [Fact]
    public async Task A_silently_ignored_value_reads_back_unchanged()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-4" };
        var cpe = h.AddDevice("SN-LIAR", new CpeBehavior().Ignoring("Device.WiFi.SSID.1.SSID"));
        var session = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-LIAR");

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-LIAR"), ParameterKey = "k" };
        push.Parameters.Add(WifiConfig[0]);
        Assert.Null((await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline())).Failure);
        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-LIAR") };
        verify.ParameterNames.Add("Device.WiFi.SSID.1.SSID");
        var values = await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline());

        Assert.Equal("SN-LIAR-1", Assert.Single(values.Values).Value);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-LIAR") });
        await session;
    }

    [Fact]
    public async Task A_slow_device_that_misses_the_deadline_times_out()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-5" };
        var cpe = h.AddDevice("SN-SLOW", new CpeBehavior { AnswerDelay = TimeSpan.FromSeconds(3) });
        var session = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-SLOW");

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-SLOW") };
        verify.ParameterNames.Add("Device.WiFi.SSID.1.SSID");
        var values = await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline(1.5));

        Assert.Equal(FailureKind.Timeout, values.Failure.Kind);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-SLOW") });
        await session.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_download_ends_with_the_transfers_report_and_a_reboot_then_runs_in_the_session_that_reported_it()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = r => r.EventCodes.Contains("0 BOOTSTRAP")
            ? new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-6" }
            : new DeviceContactDecision();
        var cpe = h.AddDevice("SN-BOOT");
        var session = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-BOOT");

        // Nothing listens on port 1: the CPE's fetch is refused (9015), which it reports in the session after the Download's.
        var download = await h.Client.DownloadFirmwareAsync(new DownloadFirmwareRequest
        {
            Device = AcsHarness.Ref("SN-BOOT"), WorkflowId = "wf-6", CommandKey = "fw-2", Url = "http://127.0.0.1:1/fw-2.bin", Password = "not-logged", FileSize = 10,
        }, deadline: AcsHarness.Deadline());
        Assert.Null(download.Failure);
        Assert.Equal(("fw-2", 9015u), (download.Transfer.CommandKey, download.Transfer.FaultCode));
        Assert.Equal("1.0.0", download.FirmwareVersionAfter);
        var reboot = await h.Client.RebootAsync(new RebootRequest { Device = AcsHarness.Ref("SN-BOOT"), WorkflowId = "wf-6", CommandKey = "rb-1" }, deadline: AcsHarness.Deadline());
        Assert.Null(reboot.Failure);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-BOOT") });
        await session.WaitAsync(TimeSpan.FromSeconds(10));

        // The device reboots ("1 BOOT", "M Reboot") after the session that reported the transfer.
        await h.Orchestrator.WaitForReportAsync(r => r.EventCodes.Contains("M Reboot"));
        Assert.Equal(["Download"], cpe.History[0].RequestsFromAcs);
        Assert.Equal(["7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes);
        Assert.Equal(["Reboot"], cpe.History[1].RequestsFromAcs);
    }

    [Fact]
    public async Task A_device_that_drops_the_session_mid_rpc_is_reached_again_and_the_rpc_is_resent()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:UnansweredRpcTimeout"] = "00:00:01" });
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-7" };
        h.Orchestrator.Inventory["SN-DROP"] = new InventoryEntry("SN-DROP");
        var cpe = h.AddDevice("SN-DROP", new CpeBehavior { DropSessionOn = "SetParameterValues" });
        var first = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-DROP");

        var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-DROP"), WorkflowId = "wf-7", ParameterKey = "k7" };
        push.Parameters.Add(WifiConfig[0]);
        var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline(10));

        Assert.Null(pushed.Failure);
        Assert.True((await first).Dropped);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-DROP"), WorkflowId = "wf-7" });
        await cpe.WaitForSessionsAsync(2, TimeSpan.FromSeconds(5));
        Assert.Equal(["6 CONNECTION REQUEST"], cpe.History[1].EventCodes);
        Assert.Equal("HomeNet", cpe.GetValue("Device.WiFi.SSID.1.SSID"));
    }

    [Fact]
    public async Task A_call_without_a_device_is_refused_as_invalid()
    {
        await using var h = await AcsHarness.StartAsync();
        var error = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => h.Client.AuthenticateAsync(new AuthenticateRequest(), deadline: AcsHarness.Deadline()).ResponseAsync);
        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
    }
}

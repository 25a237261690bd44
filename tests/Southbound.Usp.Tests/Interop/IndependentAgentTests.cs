using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.EndToEnd;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// The whole system against tests/Interop/usp_agent.py, a TR-369 agent written from the specification alone, in the
/// variants field agents differ in. The agent exits non-zero when the controller does something TR-369 or RFC 6455
/// forbids, so every test also checks the controller's side of the protocol.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class IndependentAgentTests(UspSystemFixture fixture)
{
    private static readonly string[] SuccessEvents =
        ["ProvisioningRequested", "DeviceAuthenticated", "ServiceProfileFetched", "ConfigPushed", "ConfigVerified", "ProvisioningSucceeded"];

    public static TheoryData<string, string[]> Variants => new()
    {
        { "connect-record", ["--greeting", "connect"] },
        { "eid-in-extension", ["--greeting", "connect", "--eid-in", "extension"] },
        { "eid-unencoded-in-query", ["--greeting", "connect", "--eid-in", "raw-query"] },
        { "boot-notify", ["--greeting", "boot"] },
        { "silent", ["--greeting", "silent"] },
        { "fragmented", ["--greeting", "connect", "--fragment", "7"] },
        { "ping", ["--greeting", "connect", "--ping"] },
        { "fragmented-with-ping-between", ["--greeting", "boot", "--fragment", "5", "--ping"] },
        { "onboard-request", ["--greeting", "onboard"] },
        { "record-for-another-controller-first", ["--greeting", "connect", "--stray-record"] },
        { "every-response-twice", ["--greeting", "connect", "--duplicate-responses"] },
        { "value-change-without-send-resp", ["--greeting", "boot", "--value-change"] },
        { "disconnect-record-before-closing", ["--greeting", "connect", "--disconnect-record"] },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task An_independent_agent_is_provisioned(string variant, string[] flags)
    {
        var (workflow, report) = await ProvisionAsync(variant, flags);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(0, report.ExitCode);
        var model = report.DataModel;
        Assert.Equal("Usp-24", model["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal("Usp-5", model["Device.WiFi.SSID.2.SSID"]);
        Assert.Equal("usp-wifi-secret-5G", model["Device.WiFi.AccessPoint.2.Security.KeyPassphrase"]);
        Assert.Equal("usp-sip-secret", model["Device.Services.VoiceService.1.SIP.Client.1.AuthPassword"]);
        Assert.Equal("100", model["Device.Ethernet.VLANTermination.1.VLANID"]);
        Assert.Equal("3600", model["Device.LocalAgent.Controller.1.PeriodicNotifInterval"]);
        Assert.Contains(model, p => p.Key.StartsWith("Device.LocalAgent.Subscription.", StringComparison.Ordinal)
            && p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal) && p.Value == "Device.Boot!"
            && model[p.Key[..^"ReferenceList".Length] + "Persistent"] is "true" or "1");
        Assert.Equal("agent", report.ClosedBy);
        if (flags.Contains("boot")) Assert.Equal(1, report.Get("notify_answered"));
        if (flags.Contains("extension"))
        {
            // The controller names itself in the extension the agent offered (TR-369 WebSocket binding, a SHOULD).
            Assert.Contains($"eid=\"{fixture.System.UspControllerEndpointId}\"", report.Json.GetProperty("handshake_extensions").GetString());
        }
        if (flags.Contains("onboard")) Assert.True(report.Get("notify_answered") >= 1, report.ToString());
        if (flags.Contains("--ping")) Assert.True(report.Get("pongs") >= 1, report.ToString());
        Assert.Equal(SuccessEvents, (await fixture.System.EventsAsync(workflow.WorkflowId)).Select(e => e.PayloadCase.ToString()));
    }

    /// <summary>
    /// errorStyle: the Set's Error carries the first failure's code (7016) or 7000 with the details in param_errs;
    /// absentInstance: a Get of the missing instance answers 7026 (USP 1.3 R-GET.0) or nothing (USP 1.0/1.1).
    /// </summary>
    [Theory]
    [InlineData("specific", "7026")]
    [InlineData("generic", "7026")]
    [InlineData("specific", "empty")]
    public async Task Instances_the_agent_lacks_are_added_and_its_own_numbers_used(string errorStyle, string absentInstance)
    {
        var (workflow, report) = await ProvisionAsync($"missing-{errorStyle}-{absentInstance}",
            ["--missing", "Device.WiFi.SSID.2.", "--missing", "Device.WiFi.AccessPoint.2.", "--next-instance", "5",
             "--error-style", errorStyle, "--absent-instance", absentInstance]);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
        Assert.Equal(0, report.ExitCode);
        var model = report.DataModel;
        // The agent numbers new instances from 5: the 5 GHz network lives in SSID.5 / AccessPoint.5.
        Assert.Equal("Usp-5", model["Device.WiFi.SSID.5.SSID"]);
        Assert.Equal("usp-wifi-secret-5G", model["Device.WiFi.AccessPoint.5.Security.KeyPassphrase"]);
        Assert.DoesNotContain("Device.WiFi.SSID.2.SSID", model.Keys);
        var pushed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed).ConfigPushed;
        Assert.Contains(pushed.CreatedInstances, i => i.Requested == "Device.WiFi.SSID.2." && i.Actual == "Device.WiFi.SSID.5.");
        Assert.Contains(pushed.CreatedInstances, i => i.Requested == "Device.WiFi.AccessPoint.2." && i.Actual.StartsWith("Device.WiFi.AccessPoint.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_value_the_agent_refuses_fails_the_push_with_its_code_and_changes_nothing()
    {
        var (workflow, report) = await ProvisionAsync("refuses-vlan", ["--reject", "Device.Ethernet.VLANTermination.1.VLANID"]);

        Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
        Assert.Equal(7012u, workflow.FaultCode);
        Assert.Contains(workflow.ParameterFaults, f => f.Name == "Device.Ethernet.VLANTermination.1.VLANID" && f.FaultCode == 7012);
        // allow_partial false: the agent applied nothing of the push.
        Assert.Equal("factory-1", report.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal("0", report.DataModel["Device.Ethernet.VLANTermination.1.VLANID"]);
    }

    [Fact]
    public async Task An_agent_refusing_the_Boot_subscription_is_provisioned_all_the_same()
    {
        var (workflow, report) = await ProvisionAsync("refuses-subscription", ["--refuse-subscriptions"]);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
        Assert.Equal(0, report.ExitCode);
        Assert.Equal("Usp-24", report.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.DoesNotContain(report.DataModel.Keys, k => k.StartsWith("Device.LocalAgent.Subscription.", StringComparison.Ordinal));
        Assert.True(report.Requests("ADD") >= 1, report.ToString());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("junk")]
    public async Task A_malformed_record_changes_nothing_and_disturbs_no_other_agent(string garbage)
    {
        // A healthy agent, provisioned and connected while another sends garbage.
        await using var bystander = await IndependentAgentRun.ProvisionedBystanderAsync(fixture, "IBY", Start);
        var (serial, report) = await IndependentAgentRun.GarbageAsync(fixture, "IGB", garbage, Start);

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(0, report.Requests("SET") + report.Requests("ADD") + report.Requests("DELETE"));
        Assert.Equal("factory-1", report.DataModel["Device.WiFi.SSID.1.SSID"]);
        if (report.ClosedBy != "agent") Assert.Contains(report.CloseCode, new int?[] { 1002, 1003, 1007 });
        var page = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, PageSize = 10 });
        Assert.Empty(page.Workflows);

        await IndependentAgentRun.AssertUnharmedAsync(fixture, serial, bystander, Start);
    }

    [Fact]
    public async Task An_agent_not_in_the_inventory_is_refused_before_the_upgrade_with_a_Retry_After()
    {
        var serial = fixture.NewSerial("IUK");
        await using var agent = Start(serial, "--greeting", "connect", "--expect-refusal");

        var report = await agent.ExitedAsync(TimeSpan.FromSeconds(15));

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal(404, report.Get("handshake_status"));
        Assert.True(report.Get("retry_after") > 0, report.ToString());
        Assert.Equal(0, report.Requests("SET"));
        var page = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, PageSize = 10 });
        Assert.Empty(page.Workflows);
    }

    private Task<(Workflow Workflow, AgentReport Report)> ProvisionAsync(string variant, string[] flags) =>
        IndependentAgentRun.ProvisionAsync(fixture, "IND", variant, serial => Start(serial, flags));

    private IndependentAgentProcess Start(string serial, params string[] flags) => IndependentAgentProcess.Start(
        fixture.System.UspWebSocketUrl, fixture.System.UspControllerEndpointId, UspSystemFixture.Ref(serial).EndpointId, serial,
        ["--oui", "00D09E", "--product-class", "HGW-USP", .. flags]);

    private Task<Workflow> FirstTerminalAsync(string serial) => IndependentAgentRun.FirstTerminalAsync(fixture, serial);
}

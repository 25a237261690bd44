using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.EndToEnd;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// The whole system against tests/Interop/usp_agent.py over the MQTT MTP, through the fixture's real mosquitto: a
/// TR-369 agent with its own MQTT 5 / 3.1.1 client, written from the specifications alone. The agent exits non-zero
/// when the controller breaks TR-369's MQTT binding (no Content Type "usp.msg", a record not for it, an unanswered
/// Notify), so every test also checks the controller's side of the protocol.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class IndependentMqttAgentTests(UspSystemFixture fixture)
{

    /// <summary>--reply-in: how the controller learns the agent's topic: the Response Topic property (R-MQTT.23), the
    /// 3.1.1 "/reply-to=" topic suffix (R-MQTT.24), or only the MQTTConnect record's subscribed_topic (short of
    /// R-MQTT.22, but what agents do and this controller accepts).</summary>
    public static TheoryData<string, string[]> Variants => new()
    {
        { "mqtt5-connect-record-and-response-topic", ["--greeting", "connect", "--reply-in", "property"] },
        { "mqtt5-boot-notify-response-topic-only", ["--greeting", "boot", "--reply-in", "property"] },
        { "mqtt5-topic-only-in-connect-record", ["--greeting", "connect", "--reply-in", "connect-record"] },
        { "mqtt5-onboard-request", ["--greeting", "onboard", "--reply-in", "property"] },
        { "mqtt311-reply-to-topic", ["--mqtt-version", "3.1.1", "--greeting", "connect", "--reply-in", "topic-suffix"] },
        { "mqtt311-topic-in-connect-record", ["--mqtt-version", "3.1.1", "--greeting", "connect", "--reply-in", "connect-record"] },
        { "mqtt5-qos1", ["--greeting", "connect", "--qos", "1"] },
        { "mqtt311-qos1-boot", ["--mqtt-version", "3.1.1", "--greeting", "boot", "--qos", "1"] },
        { "mqtt5-keep-alive-pings", ["--greeting", "connect", "--keep-alive", "1", "--ping"] },
        { "mqtt5-every-response-twice", ["--greeting", "connect", "--duplicate-responses"] },
        { "mqtt5-disconnect-record-before-leaving", ["--greeting", "connect", "--disconnect-record"] },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task An_independent_agent_is_provisioned_over_mqtt(string variant, string[] flags)
    {
        var (workflow, report) = await ProvisionAsync(variant, flags);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{variant}: {workflow}; agent {report}");
        Assert.Equal(0, report.ExitCode);
        Assert.Equal("mqtt", report.Json.GetProperty("mtp").GetString());
        var model = report.DataModel;
        Assert.Equal("Usp-24", model["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal("Usp-5", model["Device.WiFi.SSID.2.SSID"]);
        Assert.Equal("usp-wifi-secret-5G", model["Device.WiFi.AccessPoint.2.Security.KeyPassphrase"]);
        Assert.Equal("usp-sip-secret", model["Device.Services.VoiceService.1.SIP.Client.1.AuthPassword"]);
        Assert.Equal("100", model["Device.Ethernet.VLANTermination.1.VLANID"]);
        Assert.Equal("3600", model["Device.LocalAgent.Controller.1.PeriodicNotifInterval"]);
        Assert.Equal("agent", report.ClosedBy);
        if (flags.Contains("boot") || flags.Contains("onboard")) Assert.True(report.Get("notify_answered") >= 1, report.ToString());
        // A 1 s keep-alive: the agent's PINGREQs (answered, or it reports a violation) kept its broker connection.
        if (flags.Contains("--ping")) Assert.True(report.Get("pings_answered") >= 1, report.ToString());
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded, events[^1].PayloadCase);
    }

    [Fact]
    public async Task An_instance_the_agent_lacks_is_added_over_mqtt()
    {
        var (workflow, report) = await ProvisionAsync("mqtt5-missing-ssid",
            ["--greeting", "connect", "--qos", "1", "--missing", "Device.WiFi.SSID.2.", "--missing", "Device.WiFi.AccessPoint.2.", "--next-instance", "5"]);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
        Assert.Equal(0, report.ExitCode);
        Assert.True(report.Requests("ADD") >= 2, report.ToString());
        var model = report.DataModel;
        Assert.Equal("Usp-5", model["Device.WiFi.SSID.5.SSID"]);
        Assert.Equal("usp-wifi-secret-5G", model["Device.WiFi.AccessPoint.5.Security.KeyPassphrase"]);
        Assert.DoesNotContain("Device.WiFi.SSID.2.SSID", model.Keys);
    }

    /// <summary>TR-369 R-MQTT.26: answers go to the Response Topic of the PUBLISH received, even when the controller
    /// knew the agent on another topic before (it rebooted and came back elsewhere without an MQTTConnect record).</summary>
    [Fact]
    public async Task A_rebooted_agent_on_another_topic_is_answered_there()
    {
        var serial = fixture.NewSerial("MRT");
        await fixture.RegisterAsync(serial);
        await using (var before = Start(serial, "--greeting", "connect", "--agent-topic", $"usp/agent/{serial}/before"))
        {
            Assert.Equal(WorkflowResult.Success, (await FirstTerminalAsync(serial)).Result);
            Assert.Equal(0, (await before.StopAsync()).ExitCode);
        }

        await using var after = Start(serial, "--greeting", "boot", "--agent-topic", $"usp/agent/{serial}/after");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var report = await after.StopAsync();

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal(1, report.Get("notify_answered"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("junk")]
    public async Task A_malformed_payload_on_the_controller_topic_changes_nothing_and_disturbs_no_other_agent(string garbage)
    {
        await using var bystander = await IndependentAgentRun.ProvisionedBystanderAsync(fixture, "MBY", Start);
        var (serial, report) = await IndependentAgentRun.GarbageAsync(fixture, "MGB", garbage, Start);

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(0, report.Get("publishes_received"));
        Assert.Equal("factory-1", report.DataModel["Device.WiFi.SSID.1.SSID"]);
        var page = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, PageSize = 10 });
        Assert.Empty(page.Workflows);

        // The controller still reads its topic.
        await IndependentAgentRun.AssertUnharmedAsync(fixture, serial, bystander, Start);
    }

    private Task<(Workflow Workflow, AgentReport Report)> ProvisionAsync(string variant, string[] flags) =>
        IndependentAgentRun.ProvisionAsync(fixture, "MQI", variant, serial => Start(serial, flags));

    private IndependentAgentProcess Start(string serial, params string[] flags) => IndependentAgentProcess.StartOverMqtt(
        fixture.Broker.Url, UspSystemFixture.MqttTopic, fixture.System.UspControllerEndpointId, UspSystemFixture.Ref(serial).EndpointId, serial,
        ["--oui", "00D09E", "--product-class", "HGW-USP", .. flags]);

    private Task<Workflow> FirstTerminalAsync(string serial) => IndependentAgentRun.FirstTerminalAsync(fixture, serial);
}

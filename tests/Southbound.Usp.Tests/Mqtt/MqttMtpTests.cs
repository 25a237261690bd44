using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Southbound.Usp.Transport.Mqtt;

namespace Provisioning.Southbound.Usp.Tests.Mqtt;

/// <summary>The MQTT 5 MTP through a real mosquitto.</summary>
public sealed class MqttMtpTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private UspTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _host = await UspTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Usp:Mqtt:Enabled"] = "true",
            ["Usp:Mqtt:BrokerUrl"] = _broker.Url.ToString(),
            ["Usp:Mqtt:Topic"] = "usp/controller/test",
        });
        var transport = _host.Services.GetRequiredService<UspMqttTransport>();
        await UspTestHost.EventuallyAsync(() => transport.IsReady, "controller subscribed at the broker");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_over_mqtt_is_onboarded_provisioned_and_verified()
    {
        var agent = _host.StartAgent("MQTT1", mqttBroker: _broker.Url);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact over MQTT");
        var report = _host.Orchestrator.ReportsOf(agent.EndpointId)[0];
        Assert.Equal("mqtt", report.Identity.Endpoint);
        Assert.Equal("MQTT1", report.Identity.Device.SerialNumber);
        Assert.Contains("mqtt_connect", _host.Orchestrator.EventCodesOf(agent.EndpointId));
        await agent.WaitUntilAsync(a => a.Statistics.NotifyResponsesReceived > 0, TimeSpan.FromSeconds(5));
        Assert.Contains(agent.DataModel.Snapshot(), p => p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal) && p.Value == "Device.Boot!");

        var device = new DeviceRef { EndpointId = agent.EndpointId, SerialNumber = "MQTT1", Protocol = DeviceProtocol.Usp };
        var auth = await _host.Adapter.AuthenticateAsync(new AuthenticateRequest { Device = device }, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.Null(auth.Failure);
        Assert.Equal("mqtt", auth.Identity.Endpoint);

        var push = new PushConfigRequest { Device = device };
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.2.SSID", Value = "over-mqtt" });
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.AccessPoint.2.Security.KeyPassphrase", Value = "k3y", Secret = true });
        var pushed = await _host.Adapter.PushConfigAsync(push, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.Null(pushed.Failure);
        Assert.Equal("over-mqtt", agent.DataModel["Device.WiFi.SSID.2.SSID"]);

        var verify = await _host.Adapter.VerifyAsync(new VerifyRequest { Device = device, ParameterNames = { "Device.WiFi.SSID.2.SSID", "Device.WiFi.AccessPoint.2.Security.KeyPassphrase" } }, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(["over-mqtt", ""], verify.Values.Select(v => v.Value));

        // A fault travels back over MQTT too.
        agent.InjectError("Device.WiFi.SSID.2.SSID", 7013);
        var faulted = await _host.Adapter.PushConfigAsync(push, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(7013u, faulted.Failure.FaultCode);
    }

    [Fact]
    public async Task A_rebooted_mqtt_agent_announces_Boot()
    {
        var agent = _host.StartAgent("MQTT2", mqttBroker: _broker.Url);
        await agent.WaitUntilAsync(a => a.Statistics.NotifyResponsesReceived > 0, TimeSpan.FromSeconds(5));
        await UspTestHost.EventuallyAsync(() => agent.DataModel.Snapshot().Any(p => p.Value == "Device.Boot!"), "subscription created");
        agent.Reboot();
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.EventCodesOf(agent.EndpointId).Contains("Boot!"), "Boot! over MQTT");
    }

    /// <summary>Activate() reboots the agent; it comes back over MQTT with Boot!, and the upgrade reads its new version.</summary>
    [Fact]
    public async Task A_firmware_upgrade_over_mqtt_waits_for_the_reboot_and_reports_the_new_version()
    {
        await using var files = await FirmwareFileServer.StartAsync();
        var image = FirmwareFileServer.Image("7.0-mqtt");
        files.Files["gw.bin"] = image;
        var agent = _host.StartAgent("MQTTFW1", mqttBroker: _broker.Url);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact over MQTT");
        var boots = agent.Statistics.BootsSent;

        var response = await _host.Adapter.DownloadFirmwareAsync(new DownloadFirmwareRequest
        {
            Device = new DeviceRef { EndpointId = agent.EndpointId, Protocol = DeviceProtocol.Usp },
            CommandKey = "fw-mqtt", Url = files.UrlOf("gw.bin"), FileSize = (ulong)image.Length, Sha256 = FirmwareFileServer.Sha256Of(image),
        }, deadline: DateTime.UtcNow.AddSeconds(20));

        Assert.Null(response.Failure);
        Assert.Equal(0u, response.Transfer.FaultCode);
        Assert.Equal("7.0-mqtt", response.FirmwareVersionAfter);
        await UspTestHost.EventuallyAsync(() => agent.Statistics.BootsSent == boots + 1, "one reboot");
        Assert.Equal("Device.DeviceInfo.FirmwareImage.2.", agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"]);
    }

    /// <summary>An MQTT 3.1.1 agent (no properties): its reply topic travels in the topic name it publishes to.</summary>
    [Fact]
    public async Task The_controller_answers_a_3_1_1_agent_on_the_reply_to_topic_named_in_the_topic_and_delivers_each_record_once()
    {
        const string endpointId = "os::00D09E-MQTT311";
        _host.Orchestrator.Registered[endpointId] = true;
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var received = new System.Collections.Concurrent.ConcurrentQueue<MQTTnet.MqttApplicationMessage>();
        client.ApplicationMessageReceivedAsync += args => { received.Enqueue(args.ApplicationMessage); return Task.CompletedTask; };
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Url.Host, _broker.Url.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithClientId("agent-311").Build());
        // R-MQTT.15: a 3.1.1 agent subscribes below its topic, where "/reply-to=<controller topic>" follows it.
        await client.SubscribeAsync(new MQTTnet.MqttClientSubscribeOptionsBuilder().WithTopicFilter("usp/agent/311/#").Build());

        // A connect record without subscribed_topic: the reply topic is only in the topic name.
        var connect = new Provisioning.Usp.Records.Record
        {
            Version = "1.3", FromId = endpointId, ToId = UspTestHost.ControllerId,
            MqttConnect = new Provisioning.Usp.Records.MQTTConnectRecord { Version = Provisioning.Usp.Records.MQTTConnectRecord.Types.MQTTVersion.V311 },
        };
        await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder()
            .WithTopic("usp/controller/test/reply-to=usp/agent/311")
            .WithPayload(Google.Protobuf.MessageExtensions.ToByteArray(connect)).Build());

        // The controller reads the agent's identity: its Get arrives on the agent's topic, once, naming the
        // controller's topic in the R-MQTT.24 form ("/" written "%2F") as 3.1.1 has no Response Topic.
        await UspTestHost.EventuallyAsync(() => !received.IsEmpty, "the controller's Get on the agent's topic");
        await Task.Delay(300);
        var request = Assert.Single(received);
        Assert.Equal("usp/agent/311/reply-to=usp%2Fcontroller%2Ftest", request.Topic);
        var record = Provisioning.Usp.Records.Record.Parser.ParseFrom(System.Buffers.BuffersExtensions.ToArray(request.Payload));
        var msg = Provisioning.Usp.Messages.Msg.Parser.ParseFrom(record.NoSessionContext.Payload);
        Assert.Equal(Provisioning.Usp.Messages.Header.Types.MsgType.Get, msg.Header.MsgType);
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptionsBuilder().Build());
    }
}

using Microsoft.Extensions.DependencyInjection;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Southbound.Usp.Transport.Mqtt;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Mqtt;

/// <summary>A controller with MQTT on a local broker it starts itself (mosquitto on a free port), subscribed there.</summary>
internal static class LocalBrokerHost
{
    /// <param name="settings">More controller settings (e.g. Usp:Auth:AllowUnauthenticatedAgents, Usp:Mqtt:LoginRefresh).</param>
    public static async Task<(UspTestHost Host, Uri Broker, int Port)> StartAsync(IDictionary<string, string?>? settings = null)
    {
        MosquittoBroker.FindExecutable(); // fails clearly where mosquitto is missing
        var port = FreePort.Next();
        var broker = new Uri($"mqtt://127.0.0.1:{port}");
        var all = new Dictionary<string, string?>
        {
            ["Usp:Mqtt:Enabled"] = "true",
            ["Usp:Mqtt:BrokerUrl"] = broker.ToString(),
            ["Usp:Mqtt:StartLocalBroker"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var host = await UspTestHost.StartAsync(all);
        var transport = host.Services.GetRequiredService<UspMqttTransport>();
        await UspTestHost.EventuallyAsync(() => transport.IsReady, "controller subscribed at its own broker with its generated user");
        return (host, broker, port);
    }
}

/// <summary>MQTT enabled with a local broker: the controller starts mosquitto itself and agents reach it there.</summary>
public sealed class LocalBrokerTests
{
    [Fact]
    public async Task The_controller_starts_its_local_broker_and_an_agent_is_onboarded_through_it_and_it_stops_with_the_controller()
    {
        var (host, broker, port) = await LocalBrokerHost.StartAsync();
        await using (host)
        {

            var agent = host.StartAgent("LOCALMQ1", mqttBroker: broker);
            await UspTestHost.EventuallyAsync(() => host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact over the local broker");
            Assert.Equal("mqtt", host.Orchestrator.ReportsOf(agent.EndpointId)[0].Identity.Endpoint);
        }

        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
    }
}

/// <summary>The local broker's ACL: an agent reads only its own topic; only the controller reads the controller's.</summary>
public sealed class LocalBrokerAclTests
{
    private static async Task<MQTTnet.IMqttClient> ConnectAsync(Uri broker, string clientId, System.Collections.Concurrent.ConcurrentQueue<string> received, string? username = null)
    {
        var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += args =>
        {
            received.Enqueue(args.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        var options = new MQTTnet.MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId(clientId);
        if (username is not null) options.WithCredentials(username, "guess");
        await client.ConnectAsync(options.Build());
        return client;
    }

    [Fact]
    public async Task An_agent_reads_only_its_own_topic_and_nobody_but_the_controller_reads_the_controllers()
    {
        var (host, broker, port) = await LocalBrokerHost.StartAsync();
        await using (host)
        {

            // A real agent is onboarded through the ACL (client ID = endpoint ID).
            var agent = host.StartAgent("ACLMQ1", mqttBroker: broker);
            await UspTestHost.EventuallyAsync(() => host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact over the local broker");

            var spied = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var spy = await ConnectAsync(broker, "os::00D09E-SPY1", spied);
            foreach (var filter in (string[])["usp/agent/" + agent.EndpointId + "/#", host.MqttTopic + "/#", "#"])
                await spy.SubscribeAsync(new MQTTnet.MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());

            // Traffic both ways: the controller reads the agent (Get) and the agent answers.
            var response = await host.Adapter.VerifyAsync(new Contracts.Southbound.VerifyRequest
            {
                Device = new Contracts.Common.DeviceRef { EndpointId = agent.EndpointId, Protocol = Contracts.Common.DeviceProtocol.Usp },
                WorkflowId = "wf-acl",
                ParameterNames = { "Device.DeviceInfo.SerialNumber" },
            }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Null(response.Failure);
            await Task.Delay(300);
            Assert.Empty(spied);

            // A client naming itself as the controller's user without its password is not let in.
            using var intruder = await ConnectAsync(broker, "intruder", new(), username: "usp-controller");
            Assert.False(intruder.IsConnected);
        }
    }
}

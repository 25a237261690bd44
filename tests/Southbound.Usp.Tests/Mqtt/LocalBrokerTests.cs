using Microsoft.Extensions.DependencyInjection;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Southbound.Usp.Transport.Mqtt;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Mqtt;

/// <summary>MQTT enabled with a local broker: the controller starts mosquitto itself and agents reach it there.</summary>
public sealed class LocalBrokerTests
{
    [Fact]
    public async Task The_controller_starts_its_local_broker_and_an_agent_is_onboarded_through_it_and_it_stops_with_the_controller()
    {
        MosquittoBroker.FindExecutable(); // fails clearly where mosquitto is missing
        var port = FreePort.Next();
        var broker = new Uri($"mqtt://127.0.0.1:{port}");
        var host = await UspTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Usp:Mqtt:Enabled"] = "true",
            ["Usp:Mqtt:BrokerUrl"] = broker.ToString(),
            ["Usp:Mqtt:StartLocalBroker"] = "true",
        });
        await using (host)
        {
            var transport = host.Services.GetRequiredService<UspMqttTransport>();
            await UspTestHost.EventuallyAsync(() => transport.IsReady, "controller subscribed at its own broker");

            var agent = host.StartAgent("LOCALMQ1", mqttBroker: broker);
            await UspTestHost.EventuallyAsync(() => host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact over the local broker");
            Assert.Equal("mqtt", host.Orchestrator.ReportsOf(agent.EndpointId)[0].Identity.Endpoint);
        }

        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
    }
}

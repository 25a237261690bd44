using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Simulators.Usp.Fleet;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.WebSocket;

/// <summary>Many agents at once: every one is onboarded and provisioned, none is lost or mixed up with another.</summary>
public sealed class FleetTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_fleet_of_agents_is_onboarded_and_provisioned_concurrently()
    {
        const int count = 300;
        await using var fleet = UspAgentFleet.Create(count, i => new UspAgentOptions
        {
            Identity = new AgentIdentity($"FLEET-{i:D4}"),
            ControllerEndpointId = UspTestHost.ControllerId,
            WebSocketUrl = _host.WebSocketUrl,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        });
        foreach (var agent in fleet.Agents) _host.Orchestrator.Registered[agent.EndpointId] = true;
        await fleet.StartAsync(perSecond: 3000);

        await UspTestHost.EventuallyAsync(
            () => _host.Orchestrator.Reports.Select(r => r.Identity.Device.EndpointId).Distinct().Count() == count,
            "every agent reported", TimeSpan.FromSeconds(30));
        Assert.All(_host.Orchestrator.Reports, r => Assert.Equal(r.Identity.Device.EndpointId, $"os::00D09E-{r.Identity.Device.SerialNumber}"));

        var pushes = fleet.Agents.Select(async agent =>
        {
            var request = new PushConfigRequest { Device = new DeviceRef { EndpointId = agent.EndpointId, Protocol = DeviceProtocol.Usp } };
            request.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.1.SSID", Value = "ssid-" + agent.Identity.SerialNumber });
            var response = await _host.Adapter.PushConfigAsync(request, deadline: DateTime.UtcNow.AddSeconds(20));
            return (agent, response);
        });
        foreach (var (agent, response) in await Task.WhenAll(pushes))
        {
            Assert.Null(response.Failure);
            Assert.Equal("ssid-" + agent.Identity.SerialNumber, agent.DataModel["Device.WiFi.SSID.1.SSID"]);
        }
        Assert.Equal(count, fleet.Summary().Connected);
    }
}

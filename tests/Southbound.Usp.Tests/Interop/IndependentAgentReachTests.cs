using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.EndToEnd;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// Issue 15.1: agents whose Host header does not name the port the controller listens on (a client that leaves the port
/// out, a port forward) reach the WebSocket endpoint all the same, as it is chosen by the connection's local port.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class IndependentAgentReachTests(UspSystemFixture fixture)
{
    [Fact]
    public async Task An_agent_sending_Host_without_the_port_is_provisioned()
    {
        var (workflow, report) = await IndependentAgentRun.ProvisionAsync(fixture, "IHP", "host-without-port",
            serial => Start(fixture.System.UspWebSocketUrl, serial, "--host-header", "no-port"));

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
        Assert.Equal("Usp-24", report.DataModel["Device.WiFi.SSID.1.SSID"]);
    }

    [Fact]
    public async Task An_agent_behind_a_port_forward_is_provisioned()
    {
        await using var forward = new TcpForwarder(fixture.System.UspWebSocketUrl.Port);
        var forwarded = new UriBuilder(fixture.System.UspWebSocketUrl) { Port = forward.Port }.Uri;

        var (workflow, report) = await IndependentAgentRun.ProvisionAsync(fixture, "IFW", "behind-port-forward",
            serial => Start(forwarded, serial));

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
        Assert.Equal("Usp-5", report.DataModel["Device.WiFi.SSID.2.SSID"]);
    }

    private IndependentAgentProcess Start(Uri url, string serial, params string[] flags) => IndependentAgentProcess.Start(
        url, fixture.System.UspControllerEndpointId, UspSystemFixture.Ref(serial).EndpointId, serial,
        ["--oui", "00D09E", "--product-class", "HGW-USP", "--greeting", "connect", .. flags]);
}

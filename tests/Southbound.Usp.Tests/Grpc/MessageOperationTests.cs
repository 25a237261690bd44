using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Delete;
using Provisioning.Southbound.Usp.Messages.GetInstances;
using Provisioning.Southbound.Usp.Messages.GetSupportedDM;
using Provisioning.Southbound.Usp.Messages.GetSupportedProtocol;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Tests.Grpc;

/// <summary>The controller's USP operations that the southbound contract does not use directly, against a simulated agent.</summary>
public sealed class MessageOperationTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Usp:MaxInFlightPerAgent"] = "1",
        ["Usp:MaxConnections"] = "3",
    });
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(AgentSession Session, UspRequester Requester, Simulators.Usp.Agents.SimulatedUspAgent Agent)> ConnectAsync(string serial)
    {
        var agent = _host.StartAgent(serial);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        var session = _host.Services.GetRequiredService<AgentRegistry>().Find(agent.EndpointId)!;
        return (session, _host.Services.GetRequiredService<UspRequester>(), agent);
    }

    [Fact]
    public async Task GetInstances_GetSupportedDM_GetSupportedProtocol_and_Delete_work_against_an_agent()
    {
        var (session, requester, agent) = await ConnectAsync("OPS1");

        var instances = await requester.GetInstancesAsync(session, ["Device.WiFi.SSID."], firstLevelOnly: true, CancellationToken.None);
        Assert.Equal(["Device.WiFi.SSID.1.", "Device.WiFi.SSID.2.", "Device.WiFi.SSID.3."], instances);

        var supported = await requester.GetSupportedDMAsync(session, ["Device.WiFi."], CancellationToken.None);
        Assert.Contains("SSID", supported["Device.WiFi.SSID.{i}."]);

        var versions = await requester.GetSupportedProtocolAsync(session, CancellationToken.None);
        Assert.Contains("1.3", versions);

        var deleted = await requester.DeleteAsync(session, ["Device.WiFi.SSID.3."], CancellationToken.None);
        Assert.Equal(["Device.WiFi.SSID.3."], deleted);
        Assert.Null(agent.DataModel["Device.WiFi.SSID.3.SSID"]);
        var error = await Assert.ThrowsAsync<UspErrorException>(() => requester.DeleteAsync(session, ["Device.WiFi.SSID.3."], CancellationToken.None));
        Assert.Equal(UspErrorCodes.ObjectDoesNotExist, error.Code);
    }

    [Fact]
    public async Task Requests_beyond_the_in_flight_cap_of_an_agent_are_refused_at_once()
    {
        var (session, requester, agent) = await ConnectAsync("CAP1");
        agent.ResponseDelay = TimeSpan.FromMilliseconds(800);
        var first = requester.GetInstancesAsync(session, ["Device.WiFi.SSID."], true, CancellationToken.None);
        await Assert.ThrowsAsync<UspBusyException>(() => requester.GetInstancesAsync(session, ["Device.WiFi.SSID."], true, CancellationToken.None));
        Assert.Equal(3, (await first).Count);
    }

    [Fact]
    public async Task A_connection_beyond_the_cap_is_refused_with_503()
    {
        for (var i = 0; i < 3; i++) await ConnectAsync("FULL" + i);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.AddSubProtocol("v1.usp");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(_host.WebSocketUrl + "?eid=os::00D09E-FULL9"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
    }

    [Fact]
    public async Task A_response_completes_its_request_once_and_a_duplicate_is_ignored()
    {
        var session = new AgentSession("os::00D09E-DUP", new NullLink());
        var pending = session.Register("m-1");
        var response = new Msg { Header = new Header { MsgId = "m-1", MsgType = Header.Types.MsgType.GetResp }, Body = new Body { Response = new Response { GetResp = new GetResp() } } };
        Assert.True(session.TryComplete("m-1", response));
        Assert.False(session.TryComplete("m-1", response));
        Assert.False(session.TryComplete("unknown", response));
        Assert.Same(response, await pending.Task);
    }

    [Fact]
    public async Task Closing_a_session_fails_its_pending_requests_with_a_disconnect()
    {
        var session = new AgentSession("os::00D09E-CLOSE", new NullLink());
        var pending = session.Register("m-1");
        session.Close("replaced");
        await Assert.ThrowsAsync<AgentDisconnectedException>(() => pending.Task);
        await Assert.ThrowsAsync<AgentDisconnectedException>(() => session.Register("m-2").Task);
    }

    [Fact]
    public async Task Authenticate_reports_an_identity_mismatch()
    {
        var (_, _, agent) = await ConnectAsync("WHO1");
        var response = await _host.Adapter.AuthenticateAsync(new AuthenticateRequest { Device = new DeviceRef { EndpointId = agent.EndpointId, SerialNumber = "SOMEONE-ELSE" } }, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(FailureKind.IdentityMismatch, response.Failure.Kind);
    }

    private sealed class NullLink : IAgentLink
    {
        public string Mtp => "test";
        public ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask CloseAsync(string reason) => ValueTask.CompletedTask;
    }
}

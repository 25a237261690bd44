using Provisioning.Testing;
using System.Net;
using System.Net.Sockets;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.Interop;

namespace Provisioning.Southbound.Usp.Tests.EndToEnd;

/// <summary>
/// Issue 16.1 for the USP controller: its WebSocket listener holds at most its connection budget. A flood of silent
/// TCP connections (no HTTP at all, as an attacker opens them) beyond the budget is shed, the oldest silent first, so
/// the process keeps its file descriptors and a registered agent still connects and is provisioned.
/// </summary>
public sealed class UspConnectionBudgetTests
{
    private const int Budget = 50;
    private const int Flood = 150;

    [Fact]
    public async Task Silent_connections_beyond_the_budget_are_shed_while_a_registered_agent_is_provisioned()
    {
        var fixture = new UspSystemFixture(new Dictionary<string, string?> { ["Limits:Connections:usp"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await fixture.InitializeAsync();
        var silent = new List<Socket>();
        try
        {
            var port = fixture.System.UspWebSocketUrl.Port;
            for (var i = 0; i < Flood; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                silent.Add(socket);
            }

            var (workflow, report) = await IndependentAgentRun.ProvisionAsync(fixture, "IBU", "beyond-the-budget", serial =>
                IndependentAgentProcess.Start(fixture.System.UspWebSocketUrl, fixture.System.UspControllerEndpointId,
                    UspSystemFixture.Ref(serial).EndpointId, serial, ["--oui", "00D09E", "--product-class", "HGW-USP", "--greeting", "connect"]));

            Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
            // The listener held no more than its budget: the rest of the flood was closed by the controller.
            await Eventually.HoldsAsync(() => silent.Count(ClosedByPeer) >= Flood - Budget, TimeSpan.FromSeconds(5));
            var closed = silent.Count(ClosedByPeer);
            Assert.True(closed >= Flood - Budget, $"{closed} of {Flood} silent connections closed by the controller; its budget is {Budget}");
        }
        finally
        {
            foreach (var socket in silent) socket.Dispose();
            await fixture.DisposeAsync();
        }
    }

    /// <summary>The peer closed or reset the connection: readable with nothing to read, or the read fails.</summary>
    private static bool ClosedByPeer(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Receive(new byte[1], SocketFlags.Peek) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}

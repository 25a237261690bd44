using System.Net.Sockets;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using Provisioning.ServiceDefaults.Connections;
using Provisioning.Simulators.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>
/// Issue 16.1 for the ACS: a flood of silent TCP connections, no credentials, beyond the ACS listener's connection
/// budget. The ACS holds no more than its budget (the flood displaces itself), a healthy CPE still gets in and is
/// provisioned, and the northbound gRPC health check answers throughout. Its own system: the budget is set small.
/// </summary>
public sealed class ConnectionFloodTests : IAsyncLifetime
{
    private const int Budget = 50;
    private const int Flood = 200;
    private SystemUnderTest system = null!;
    private WebApplication adapter = null!;
    private CwmpFleet fleet = null!;

    public async Task InitializeAsync()
    {
        system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Orchestrator:HostAdapters"] = "false" });
        var settings = system.Settings.ToDictionary(kv => kv.Key, kv => kv.Value);
        settings[$"{ConnectionBudgets.Section}:{ConnectionBudgets.Acs}"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Cwmp:Auth:BootstrapUsername"] = "bootstrap";
        settings["Cwmp:Auth:BootstrapPassword"] = "bootstrap";
        adapter = CwmpAdapterApplication.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        await adapter.StartAsync();
        fleet = await CwmpFleet.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await fleet.DisposeAsync();
        await adapter.StopAsync();
        await adapter.DisposeAsync();
        await system.DisposeAsync();
    }

    [Fact]
    public async Task A_flood_of_silent_connections_beyond_the_budget_is_shed_while_a_healthy_cpe_is_provisioned_and_grpc_health_answers()
    {
        var serial = "FLOOD" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = CwmpSystemFixture.Plan("flood-gold") });
        await system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new Contracts.Common.DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = Contracts.Common.DeviceProtocol.Cwmp },
                CustomerId = "C-" + serial, ServicePlan = "flood-gold", LocationId = "LOC-1",
            },
        });
        var acs = system.AcsUrl;
        var silent = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Flood; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(acs.Host, acs.Port);
                silent.Add(tcp);
            }
            var budget = adapter.Services.GetServices<ConnectionBudget>().Single(b => b.Listener == ConnectionBudgets.Acs);
            await Eventually.HoldsAsync(() => budget.OpenConnections <= Budget, TimeSpan.FromSeconds(10));
            Assert.True(budget.OpenConnections <= Budget, $"the ACS holds {budget.OpenConnections} connections, its budget is {Budget}");

            var cpe = fleet.Add(new SimulatedCpeOptions { SerialNumber = serial, AcsUrl = acs, Username = "bootstrap", Password = "bootstrap" });
            var health = new Health.HealthClient(system.Invoker(null)).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            var (session, _) = await cpe.BootstrapWithRetryAsync(new SessionRetry(TimeSpan.FromMilliseconds(200), MaxRetries: 3));
            var workflow = await system.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, TimeSpan.FromSeconds(40));

            Assert.True(session.Succeeded, session.Error);
            Assert.Equal(WorkflowResult.Success, workflow.Result);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health).Status);
            Assert.True(budget.OpenConnections <= Budget, $"the ACS holds {budget.OpenConnections} connections, its budget is {Budget}");
            Assert.True(Closed(silent) >= Flood - Budget, $"{Closed(silent)} of {Flood} silent connections were closed by the ACS");
        }
        finally
        {
            foreach (var tcp in silent) tcp.Dispose();
        }
    }

    /// <summary>Silent connections the ACS has closed (a read returns end of stream or fails at once).</summary>
    private static int Closed(List<TcpClient> connections) => connections.Count(tcp =>
    {
        try
        {
            var socket = tcp.Client;
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    });
}

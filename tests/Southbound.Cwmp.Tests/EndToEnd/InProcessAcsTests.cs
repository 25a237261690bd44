using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>The default deployment: the ACS hosted in the orchestrator's process (Orchestrator:HostAdapters).</summary>
public sealed class InProcessAcsTests
{
    [Fact]
    public async Task A_device_is_provisioned_zero_touch_through_the_in_process_acs()
    {
        await using var system = await SystemUnderTest.StartAsync();
        await ProvisionOneAsync(system, "INPROC0001");
    }

    /// <summary>
    /// README's table offers moving the northbound and the adapters' gRPC ports; nothing else is set, so each side must
    /// dial the other's actual listener (it dialled the defaults, and every device failed its lookup).
    /// </summary>
    [Fact]
    public async Task A_device_is_provisioned_when_only_the_northbound_and_the_acs_grpc_ports_are_moved()
    {
        await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:GrpcUrl"] = $"http://0.0.0.0:{FreePort.Next()}",
            ["Cwmp:GrpcUrl"] = $"http://0.0.0.0:{FreePort.Next()}",
        });
        Assert.DoesNotContain("Cwmp:OrchestratorUrl", system.Settings.Keys);
        Assert.DoesNotContain("Orchestrator:Adapters:Cwmp", system.Settings.Keys);
        await ProvisionOneAsync(system, "INPROC0002");
    }

    private static async Task ProvisionOneAsync(SystemUnderTest system, string serial)
    {
        await using var fleet = await CwmpFleet.StartAsync();
        await system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = CwmpSystemFixture.Plan("inproc") });
        await system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
                CustomerId = "C-1",
                ServicePlan = "inproc",
                CwmpUsername = "inproc-user",
                CwmpPassword = "inproc-pw",
            },
        });
        var cpe = fleet.Add(new SimulatedCpeOptions
        {
            SerialNumber = serial, AcsUrl = system.AcsUrl, Username = "inproc-user", Password = "inproc-pw", AuthScheme = CpeAuthScheme.Digest,
        });

        var session = await cpe.BootstrapAsync();
        var workflow = await system.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, TimeSpan.FromSeconds(30));

        Assert.True(session.Succeeded, session.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal("Home-5", cpe.GetValue("Device.WiFi.SSID.2.SSID"));
    }
}

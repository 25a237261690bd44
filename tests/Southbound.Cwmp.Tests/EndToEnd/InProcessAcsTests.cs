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
        await using var fleet = await CwmpFleet.StartAsync();
        const string serial = "INPROC0001";
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

using Provisioning.Contracts.Northbound;

namespace Provisioning.Southbound.Usp.Tests.EndToEnd;

/// <summary>
/// Issue 14: a provisioned agent that comes back with factory settings is provisioned again without a person acting
/// (a workflow with trigger factory_reset). The controller's side (Boot! Cause and the lost subscription in the contact
/// report) is tested against the stand-in orchestrator in Onboarding/; these go through the orchestrator's decision too.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class UspFactoryResetTests(UspSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<string> ProvisionedAsync(string prefix)
    {
        var serial = fixture.NewSerial(prefix);
        await fixture.RegisterAsync(serial);
        return serial;
    }

    [Fact]
    public async Task A_provisioned_agent_announcing_Boot_with_Cause_LocalFactoryReset_is_provisioned_again()
    {
        var serial = await ProvisionedAsync("FRB");
        var agent = fixture.StartAgent(serial);
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, first.Result);

        agent.Reboot("LocalFactoryReset");
        var again = await fixture.System.WaitForDeviceWorkflowAsync(serial,
            w => w.WorkflowId != first.WorkflowId && w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowTrigger.FactoryReset, again.Trigger);
        Assert.Equal(WorkflowResult.Success, again.Result);
    }

    [Fact]
    public async Task A_provisioned_agent_found_without_its_Boot_subscription_is_provisioned_again()
    {
        var serial = await ProvisionedAsync("FRS");
        var agent = fixture.StartAgent(serial);
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, first.Result);
        await agent.StopAsync();

        // The same device with factory settings: a fresh data model, no Boot! subscription, factory Wi-Fi.
        var reset = fixture.StartAgent(serial);
        var again = await fixture.System.WaitForDeviceWorkflowAsync(serial,
            w => w.WorkflowId != first.WorkflowId && w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowTrigger.FactoryReset, again.Trigger);
        Assert.Equal(WorkflowResult.Success, again.Result);
        Assert.Equal("Usp-24", reset.DataModel["Device.WiFi.SSID.1.SSID"]);
    }

    [Fact]
    public async Task A_provisioned_agent_rebooting_normally_is_not_provisioned_again()
    {
        var serial = await ProvisionedAsync("FRN");
        var agent = fixture.StartAgent(serial);
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, first.Result);

        agent.Reboot("LocalReboot");
        await agent.WaitUntilAsync(a => a.Statistics.BootsSent > 0, TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var page = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, PageSize = 10 });
        Assert.Single(page.Workflows);
    }
}

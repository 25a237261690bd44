using Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Tests.Campaigns;

public sealed class CampaignRestartTests : IAsyncLifetime
{
    private CampaignSystem _system = null!;

    public async Task InitializeAsync() => _system = await CampaignSystem.StartAsync();
    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task A_campaign_goes_on_after_an_orchestrator_restart_and_starts_no_device_twice()
    {
        var serials = await _system.RegisterFleetAsync("RS", 24, "rs-plan", pushDelay: TimeSpan.FromMilliseconds(250));
        var started = await _system.Campaigns.StartCampaignAsync(new StartCampaignRequest
        {
            Name = "restart",
            Selection = new CampaignSelection { ServicePlans = { "rs-plan" } },
            WavePercents = { 25, 100 },
            Concurrency = 3,
        });
        await _system.WaitAsync(started.CampaignId, c => c.Progress.Succeeded >= 4);

        await _system.System.CrashOrchestratorAsync();
        await _system.System.StartOrchestratorAsync();

        var completed = await _system.WaitAsync(started.CampaignId, c => c.State == CampaignState.Completed, TimeSpan.FromMinutes(2));
        Assert.Equal(24u, completed.Progress.Succeeded);
        foreach (var serial in serials)
        {
            var workflow = Assert.Single(await _system.WorkflowsOfAsync(serial));
            Assert.Equal(started.CampaignId, workflow.CampaignId);
        }
    }
}

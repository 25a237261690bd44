using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Campaigns;

/// <summary>A plan rolled out over 200 devices in waves: the faulty model in the second wave stops it; fixed, it completes.</summary>
public sealed class StagedRolloutTests : IAsyncLifetime
{
    private CampaignSystem _system = null!;

    public async Task InitializeAsync() => _system = await CampaignSystem.StartAsync();
    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task The_second_wave_hits_a_faulty_model_pauses_at_the_threshold_and_completes_after_the_plan_is_fixed()
    {
        const string name = "iptv-vlan-rollout";
        // Every fifth device in the campaign's order, from the third on, is the model that refuses the IPTV VLAN:
        // wave 1 (2 devices) is clean, wave 2 (devices 3-20) holds four of them.
        var serials = Enumerable.Range(0, 200).Select(i => $"RO{i:D4}").ToList();
        var order = CampaignSystem.OrderOf(name, serials);
        var faulty = order.Where((_, i) => i % 5 == 2).ToHashSet();
        await _system.RegisterFleetAsync("RO", 200, "iptv", faulty.Contains);

        var started = await _system.Campaigns.StartCampaignAsync(new StartCampaignRequest
        {
            Name = name,
            Selection = new CampaignSelection { ServicePlans = { "iptv" } },
            ServicePlan = "iptv",
            WavePercents = { 1, 10, 50, 100 },
            Concurrency = 4,
        });
        Assert.Equal(200u, started.Progress.Selected);
        Assert.Equal([2u, 20u, 100u, 200u], started.Waves.Select(w => w.Devices));

        var paused = await _system.WaitAsync(started.CampaignId, c => c.State != CampaignState.Running);
        Assert.Equal(CampaignState.Paused, paused.State);
        Assert.Equal(2u, paused.CurrentWave);
        Assert.Contains("failure rate", paused.StateReason);
        Assert.Contains("above 5.0", paused.StateReason);
        Assert.True(paused.Waves[0].Completed);
        // It stopped within the second wave: nothing of the third was started.
        var settled = await _system.WaitAsync(started.CampaignId, c => c.Progress.Running == 0);
        Assert.InRange(settled.Progress.Started, 10u, 20u);
        foreach (var serial in order.Skip(20)) Assert.Empty(await _system.WorkflowsOfAsync(serial));
        Assert.True(settled.Progress.FailedByResult["config_push_failed"] >= 1);

        // Every workflow it started names it and was started by it.
        var first = (await _system.WorkflowsOfAsync(order[0])).Single();
        Assert.Equal(started.CampaignId, first.CampaignId);
        Assert.Equal(WorkflowTrigger.Campaign, first.Trigger);

        // A pause by its rule is not undone by time: it stays paused.
        await Task.Delay(600);
        Assert.Equal(CampaignState.Paused, (await _system.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = started.CampaignId })).State);

        // The plan is fixed (no IPTV VLAN) and the campaign resumed with the failed devices retried.
        await _system.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = TestPlans.Standard("iptv") });
        var resumed = await _system.Campaigns.ResumeCampaignAsync(new ResumeCampaignRequest { CampaignId = started.CampaignId, RetryFailed = true, Reason = "plan fixed" });
        Assert.Equal(CampaignState.Running, resumed.State);

        var completed = await _system.WaitAsync(started.CampaignId, c => c.State is CampaignState.Completed or CampaignState.Paused, TimeSpan.FromMinutes(3));
        Assert.Equal(CampaignState.Completed, completed.State);
        Assert.Equal(200u, completed.Progress.Succeeded);
        Assert.Equal(0u, completed.Progress.Failed);
        Assert.All(completed.Waves, w => Assert.True(w.Completed));

        // Each device provisioned once, the ones that failed once more after the fix; none twice at once.
        foreach (var serial in order.Take(20))
        {
            var workflows = await _system.WorkflowsOfAsync(serial);
            Assert.Equal(WorkflowResult.Success, workflows.OrderBy(w => w.CreatedAt.ToDateTimeOffset()).Last().Result);
            Assert.InRange(workflows.Count, 1, 2);
        }
        foreach (var serial in order.Skip(20)) Assert.Single(await _system.WorkflowsOfAsync(serial));
    }

    [Fact]
    public async Task A_firmware_campaign_upgrades_in_waves_and_a_model_whose_download_fails_stops_it_with_the_fault()
    {
        const string name = "fw-2.0.1";
        var serials = Enumerable.Range(0, 40).Select(i => $"FW{i:D4}").ToList();
        var order = CampaignSystem.OrderOf(name, serials);
        await _system.RegisterFleetAsync("FW", 40, "fw-plan");
        // Wave 1 (4 devices) upgrades; in wave 2 the sixth device's model fails every download with 9010.
        _system.Adapter.Devices[order[5]] = new DeviceScript { Model = CampaignSystem.FaultyModel, TransferFault = (9010, "Download failure") };

        var started = await _system.Campaigns.StartCampaignAsync(new StartCampaignRequest
        {
            Name = name,
            Selection = new CampaignSelection { ServicePlans = { "fw-plan" } },
            Firmware = new CampaignFirmware { Version = "2.0.1", Url = "https://images.example.net/hg/2.0.1.bin", FileSize = 1024 },
            WavePercents = { 10, 50, 100 },
            Concurrency = 2,
            StopRules = new CampaignStopRules { FaultCodes = { 9010 } },
        });
        Assert.Equal("2.0.1", started.Firmware.Version);

        var paused = await _system.WaitAsync(started.CampaignId, c => c.State != CampaignState.Running);
        Assert.Equal(CampaignState.Paused, paused.State);
        Assert.Equal(2u, paused.CurrentWave);
        Assert.Contains($"fault 9010 on {order[5]}", paused.StateReason);
        Assert.Contains("firmware_upgrade_failed", paused.StateReason);

        var upgraded = (await _system.WorkflowsOfAsync(order[0])).Single();
        Assert.Equal(WorkflowKind.UpgradeFirmware, upgraded.Kind);
        Assert.Equal(WorkflowResult.Success, upgraded.Result);
        Assert.Equal("2.0.1", _system.Adapter.Devices[order[0]].FirmwareVersion);
        var failed = (await _system.WorkflowsOfAsync(order[5])).Single();
        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, failed.Result);
        Assert.Equal(9010u, failed.FaultCode);
    }

    [Fact]
    public async Task A_fault_code_rule_stops_at_the_first_such_failure()
    {
        await _system.RegisterFleetAsync("FC", 30, "fc-plan", s => s == "FC0007");
        var started = await _system.Campaigns.StartCampaignAsync(new StartCampaignRequest
        {
            Name = "fault-rule",
            Selection = new CampaignSelection { ServicePlans = { "fc-plan" } },
            WavePercents = { 100 },
            Concurrency = 1,
            StopRules = new CampaignStopRules { MaxFailureRate = 1, FaultCodes = { 9003 } },
        });
        var paused = await _system.WaitAsync(started.CampaignId, c => c.State != CampaignState.Running);
        Assert.Equal(CampaignState.Paused, paused.State);
        Assert.Contains("fault 9003 on FC0007", paused.StateReason);
    }
}

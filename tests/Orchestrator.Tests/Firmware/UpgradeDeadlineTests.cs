using Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Tests.Firmware;

/// <summary>
/// An upgrade takes minutes where a push takes seconds: its step has its own deadline (Workflow:UpgradeFirmwareTimeout),
/// and a workflow with an upgrade may run that much longer than Workflow:WorkflowTimeout.
/// </summary>
public sealed class UpgradeDeadlineTests : IAsyncLifetime
{
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;
    private OrchestratorFixture _helper = null!;

    public async Task InitializeAsync()
    {
        _adapter = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(_adapter);
        settings["Workflow:WorkflowTimeout"] = "00:00:03";
        settings["Workflow:UpgradeFirmwareTimeout"] = "00:00:05";
        _system = await SystemUnderTest.StartAsync(settings);
        _helper = OrchestratorFixture.Over(_adapter, _system);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
    }

    private async Task<Workflow> ProvisionWithUpgradeAsync(TimeSpan download)
    {
        var manufacturer = "Fw" + Guid.NewGuid().ToString("N")[..8];
        await _system.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
        {
            Profile = new ModelProfile
            {
                Name = "fw-" + manufacturer.ToLowerInvariant(), Manufacturer = manufacturer, Model = "HG-100",
                Firmware = new FirmwareTarget { Version = "2.0.1", Url = "https://images.example.net/2.0.1.bin", FileSize = 1024, Sha256 = new string('d', 64) },
            },
        });
        var serial = await _helper.RegisterAsync(new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3", DownloadDelay = download });
        return await _system.WaitForTerminalAsync((await _helper.ProvisionAsync(serial)).Workflow.WorkflowId, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_upgrade_longer_than_the_workflow_timeout_but_within_its_own_ends_with_the_push_done()
    {
        var workflow = await ProvisionWithUpgradeAsync(TimeSpan.FromSeconds(3.5));

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal("2.0.1", workflow.FirmwareVersion);
        Assert.Contains(await _system.EventsAsync(workflow.WorkflowId), e => e.EventType == "config_verified");
    }

    [Fact]
    public async Task An_upgrade_past_its_own_deadline_ends_timed_out_at_upgrade_firmware()
    {
        var workflow = await ProvisionWithUpgradeAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WorkflowResult.TimedOut, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.InRange((workflow.CompletedAt.ToDateTimeOffset() - workflow.CreatedAt.ToDateTimeOffset()).TotalSeconds, 4.5, 12);
    }
}

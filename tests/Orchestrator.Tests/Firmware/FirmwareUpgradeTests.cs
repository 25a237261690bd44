using Grpc.Core;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Security;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Tests.Firmware;

/// <summary>
/// A model profile names the firmware its devices should run: provisioning upgrades a device that reports another
/// version before pushing its configuration, and UpgradeFirmware does it on its own.
/// </summary>
[Collection(nameof(OrchestratorCollection))]
public sealed class FirmwareUpgradeTests(OrchestratorFixture fixture)
{
    private const string Target = "2.0.1";
    private const string ImagePassword = "image-server-secret-77";
    private const string Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// <summary>A manufacturer of its own per test, so one test's profile never applies to another's devices.</summary>
    private async Task<string> ProfileWithFirmwareAsync(string version = Target)
    {
        var manufacturer = "Fw" + Guid.NewGuid().ToString("N")[..8];
        await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
        {
            Profile = new ModelProfile
            {
                Name = "fw-" + manufacturer.ToLowerInvariant(),
                Manufacturer = manufacturer,
                Model = "HG-100",
                Firmware = new FirmwareTarget
                {
                    Version = version,
                    Url = $"https://images.example.net/hg100/{version}.bin",
                    FileSize = 16_777_216,
                    Sha256 = Sha256.ToUpperInvariant(),
                    Username = "cpe-images",
                    Password = ImagePassword,
                },
            },
        });
        return manufacturer;
    }

    private async Task<(Workflow Workflow, IReadOnlyList<ProvisioningEvent> Events)> ProvisionAsync(string serial)
    {
        var workflow = await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        return (workflow, await fixture.System.EventsAsync(workflow.WorkflowId));
    }

    [Fact]
    public async Task A_device_on_older_firmware_is_upgraded_before_its_configuration_is_pushed()
    {
        var manufacturer = await ProfileWithFirmwareAsync();
        var script = new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3" };
        var serial = await fixture.RegisterAsync(script);

        var (workflow, events) = await ProvisionAsync(serial);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(Target, workflow.FirmwareVersion);
        Assert.Equal(["provisioning_requested", "device_authenticated", "service_profile_fetched", "firmware_upgraded", "config_pushed", "config_verified", "provisioning_succeeded"],
            events.Select(e => e.EventType));
        Assert.Equal(Target, events[2].ServiceProfileFetched.FirmwareTarget);
        var upgraded = events[3].FirmwareUpgraded;
        Assert.Equal(WorkflowStep.UpgradeFirmware, events[3].Step);
        Assert.Equal(("1.2.3", Target), (upgraded.FromVersion, upgraded.ToVersion));
        Assert.Equal(UpgradeFirmwareStep.CommandKeyOf(Guid.Parse(workflow.WorkflowId)), upgraded.CommandKey);
        Assert.NotEmpty(upgraded.StartTime);
        Assert.NotEmpty(upgraded.CompleteTime);

        var calls = fixture.Adapter.Calls.Where(c => c.EndsWith(":" + serial, StringComparison.Ordinal)).ToList();
        Assert.True(calls.IndexOf($"DownloadFirmware:{serial}") < calls.IndexOf($"PushConfig:{serial}"), string.Join(", ", calls));
        // The adapter gets what the device needs, the image server's password in clear; nothing shown keeps it.
        var download = Assert.Single(script.Downloads);
        Assert.Equal(upgraded.CommandKey, download.CommandKey);
        Assert.Equal($"https://images.example.net/hg100/{Target}.bin", download.Url);
        Assert.Equal((16_777_216ul, Sha256, "cpe-images", ImagePassword), (download.FileSize, download.Sha256, download.Username, download.Password));
        Assert.Equal($"{Target}.bin", download.TargetFileName);
        Assert.True(upgraded.CommandKey.Length <= 32);
        Assert.DoesNotContain(events, e => e.ToString().Contains(ImagePassword, StringComparison.Ordinal));
        var stored = (await fixture.System.Inventory.ListModelProfilesAsync(new ListModelProfilesRequest())).Profiles.Single(p => p.Manufacturer == manufacturer);
        Assert.True(stored.Firmware.HasPassword);
        Assert.Empty(stored.Firmware.Password);

        await fixture.System.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var history = await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
        Assert.Equal(Target, Assert.Single(history.Entries).FirmwareVersion);
    }

    [Fact]
    public async Task A_device_already_on_the_target_is_not_upgraded()
    {
        var manufacturer = await ProfileWithFirmwareAsync();
        var script = new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = Target };
        var serial = await fixture.RegisterAsync(script);

        var (workflow, events) = await ProvisionAsync(serial);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Empty(events.Single(e => e.ServiceProfileFetched is not null).ServiceProfileFetched.FirmwareTarget);
        Assert.DoesNotContain(events, e => e.Step == WorkflowStep.UpgradeFirmware);
        Assert.DoesNotContain($"DownloadFirmware:{serial}", fixture.Adapter.Calls);
        Assert.Empty(script.Downloads);
    }

    [Fact]
    public async Task A_download_failure_ends_firmware_upgrade_failed_with_its_fault_counted_in_the_failure_report()
    {
        var manufacturer = await ProfileWithFirmwareAsync();
        var script = new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3", TransferFault = (9010, "Download failure") };
        var serial = await fixture.RegisterAsync(script);

        var (workflow, events) = await ProvisionAsync(serial);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.Equal(9010u, workflow.FaultCode);
        Assert.Equal("1.2.3", workflow.FirmwareVersion);
        var failed = events[^1].ProvisioningFailed;
        Assert.Equal((WorkflowResult.FirmwareUpgradeFailed, 9010u, "Download failure"), (failed.Result, failed.FaultCode, failed.FaultString));
        Assert.Contains("9010", failed.Reason);
        Assert.DoesNotContain($"PushConfig:{serial}", fixture.Adapter.Calls);

        await fixture.System.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var report = await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest());
        var row = Assert.Single(report.Rows, r => r.Result == WorkflowResult.FirmwareUpgradeFailed && r.FirmwareVersion == "1.2.3" && r.FaultCode == 9010 && r.Model == "HG-100"
            && r.Step == WorkflowStep.UpgradeFirmware);
        Assert.True(row.Count >= 1);
    }

    [Fact]
    public async Task A_device_that_comes_back_with_the_old_version_ends_firmware_upgrade_failed()
    {
        var manufacturer = await ProfileWithFirmwareAsync();
        var script = new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3", KeepsOldFirmware = true };
        var serial = await fixture.RegisterAsync(script);

        var (workflow, _) = await ProvisionAsync(serial);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.Equal(0u, workflow.FaultCode);
        Assert.Contains($"came back with the old version 1.2.3, not {Target}", workflow.FailureReason);
        Assert.DoesNotContain($"PushConfig:{serial}", fixture.Adapter.Calls);
    }

    [Fact]
    public async Task A_download_the_adapter_cannot_carry_out_ends_firmware_upgrade_failed()
    {
        var manufacturer = await ProfileWithFirmwareAsync();
        var script = new DeviceScript
        {
            Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3",
            DownloadFailure = new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = 9001, FaultString = "Request denied" },
        };
        var serial = await fixture.RegisterAsync(script);

        var (workflow, _) = await ProvisionAsync(serial);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(9001u, workflow.FaultCode);
        Assert.Contains("upgrade_firmware: device fault 9001 Request denied", workflow.FailureReason);
    }

    [Fact]
    public async Task UpgradeFirmware_installs_the_image_named_and_is_audited()
    {
        var script = new DeviceScript { FirmwareVersion = "1.2.3" };
        var serial = await fixture.RegisterAsync(script);

        var response = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest
        {
            SerialNumber = serial, Version = "3.1.0", Url = "http://images.example.net/any/3.1.0.img", FileSize = 1024, Wait = true,
        }, deadline: DateTime.UtcNow.AddSeconds(30));

        var workflow = response.Workflow;
        Assert.Equal((WorkflowKind.UpgradeFirmware, WorkflowResult.Success, "3.1.0"), (workflow.Kind, workflow.Result, workflow.FirmwareVersion));
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["provisioning_requested", "device_authenticated", "firmware_upgraded", "provisioning_succeeded"], events.Select(e => e.EventType));
        Assert.Equal(("3.1.0", "http://images.example.net/any/3.1.0.img"), (events[0].ProvisioningRequested.FirmwareVersion, events[0].ProvisioningRequested.FirmwareUrl));
        Assert.Equal(("1.2.3", "3.1.0"), (events[2].FirmwareUpgraded.FromVersion, events[2].FirmwareUpgraded.ToVersion));
        Assert.Equal(("", ""), (script.Downloads.Single().Username, script.Downloads.Single().Password));
        Assert.DoesNotContain($"PushConfig:{serial}", fixture.Adapter.Calls);

        await using var session = fixture.System.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var audit = Assert.Single(await session.Events.QueryRawEventDataOnly<FirmwareUpgradeOrdered>().Where(a => a.SerialNumber == serial).ToListAsync());
        Assert.Equal((Guid.Parse(workflow.WorkflowId), "3.1.0", "test-admin"), (audit.WorkflowId, audit.Version, audit.ChangedBy));
    }

    [Fact]
    public async Task UpgradeFirmware_without_an_image_installs_the_model_profiles_target_or_says_there_is_none()
    {
        var manufacturer = await ProfileWithFirmwareAsync();
        var profiled = await fixture.RegisterAsync(new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3" });
        var unprofiled = await fixture.RegisterAsync(new DeviceScript { Manufacturer = "Nobody" + Guid.NewGuid().ToString("N")[..6], Model = "HG-100" });

        var upgraded = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest { SerialNumber = profiled, Wait = true }, deadline: DateTime.UtcNow.AddSeconds(30));
        var again = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest { SerialNumber = profiled, Wait = true }, deadline: DateTime.UtcNow.AddSeconds(30));
        var none = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest { SerialNumber = unprofiled, Wait = true }, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal((WorkflowResult.Success, Target), (upgraded.Workflow.Result, upgraded.Workflow.FirmwareVersion));
        // Already on it: nothing downloaded the second time.
        Assert.Equal(WorkflowResult.Success, again.Workflow.Result);
        Assert.Single(fixture.Adapter.Devices[profiled].Downloads);
        Assert.Contains(await fixture.System.EventsAsync(again.Workflow.WorkflowId), e => e.FirmwareCurrent?.Version == Target);
        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, none.Workflow.Result);
        Assert.Contains("no model profile with a firmware target", none.Workflow.FailureReason);
    }

    [Fact]
    public async Task UpgradeFirmware_is_refused_while_the_device_has_an_active_workflow()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { FirmwareVersion = "1.2.3", DownloadDelay = TimeSpan.FromSeconds(3) });
        var first = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest
        {
            SerialNumber = serial, Version = "4.0.0", Url = "https://images.example.net/4.0.0.bin",
        });

        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest
        {
            SerialNumber = serial, Version = "4.0.0", Url = "https://images.example.net/4.0.0.bin",
        }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(first.Workflow.WorkflowId, refused.Status.Detail);
        Assert.Equal(WorkflowResult.Success, (await fixture.System.WaitForTerminalAsync(first.Workflow.WorkflowId)).Result);
        Assert.Single(fixture.Adapter.Devices[serial].Downloads);
    }

    [Theory]
    [InlineData("ftp://images.example.net/2.0.bin", "", "url")]
    [InlineData("images/2.0.bin", "", "url")]
    [InlineData("https://user:pw@images.example.net/2.0.bin", "", "url")]
    [InlineData("https://images.example.net/2.0.bin", "abc", "sha256")]
    public async Task An_unusable_image_is_refused_and_nothing_starts(string url, string sha256, string field)
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest
        {
            SerialNumber = serial, Version = "2.0", Url = url, Sha256 = sha256,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail);
        Assert.Empty((await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial })).Workflows);
    }

    [Fact]
    public async Task Model_profiles_with_an_unusable_firmware_target_are_refused_all_or_nothing()
    {
        var good = new ModelProfile
        {
            Name = "fw-good-" + Guid.NewGuid().ToString("N")[..6], Manufacturer = "M", Model = "X",
            Firmware = new FirmwareTarget { Version = "1.0", Url = "https://images.example.net/1.0.bin", FileSize = 10, Sha256 = Sha256 },
        };
        var bad = new ModelProfile
        {
            Name = "fw-bad-" + Guid.NewGuid().ToString("N")[..6], Manufacturer = "M", Model = "Y",
            Firmware = new FirmwareTarget { Version = "1.0", Url = "file:///srv/images/1.0.bin", FileSize = 10, Sha256 = Sha256 },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertModelProfilesAsync(new UpsertModelProfilesRequest { Profiles = { good, bad } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("profiles[1].firmware.url", error.Status.Detail);
        var all = await fixture.System.Inventory.ListModelProfilesAsync(new ListModelProfilesRequest());
        Assert.DoesNotContain(all.Profiles, p => p.Name == good.Name || p.Name == bad.Name);
    }

    [Fact]
    public void The_command_key_is_the_workflows_own_and_fits_CWMP()
    {
        var id = Guid.CreateVersion7();

        Assert.Equal(UpgradeFirmwareStep.CommandKeyOf(id), UpgradeFirmwareStep.CommandKeyOf(id));
        Assert.NotEqual(UpgradeFirmwareStep.CommandKeyOf(id), UpgradeFirmwareStep.CommandKeyOf(Guid.CreateVersion7()));
        Assert.Equal(32, UpgradeFirmwareStep.CommandKeyOf(id).Length);
    }
}

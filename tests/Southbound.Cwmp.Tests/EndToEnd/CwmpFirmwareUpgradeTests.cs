using System.Collections.Concurrent;
using System.Diagnostics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>
/// Issue 18: a firmware upgrade through the whole system — the model profile's target, the orchestrator's image folder
/// served over real HTTP with a per-device link, the ACS's Download, the CPE's real fetch, its reboot and TransferComplete,
/// the version read back — as a step of provisioning and as an operation of its own.
/// </summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class CwmpFirmwareUpgradeTests(CwmpSystemFixture fixture) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);
    private const string Old = "1.0.0";
    private const string Target = "2.0.1";
    private const string Model = "SIM-1000";

    private readonly ConcurrentBag<Activity> stopped = [];
    private readonly ActivityListener listener = new()
    {
        ShouldListenTo = s => s.Name.StartsWith("Provisioning.", StringComparison.Ordinal),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public void Dispose() => listener.Dispose();

    /// <summary>
    /// A manufacturer of the test's own whose model profile targets <paramref name="version"/> at <paramref name="url"/>
    /// (a file of the image folder, or an operator's URL), so no other test's devices are upgraded.
    /// </summary>
    private async Task<string> ProfileTargetingAsync(string version, string url, ulong fileSize = 0)
    {
        var manufacturer = "FwE2E" + Guid.NewGuid().ToString("N")[..8];
        await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
        {
            Profile = new ModelProfile
            {
                Name = "fw-" + manufacturer.ToLowerInvariant(),
                Manufacturer = manufacturer,
                Model = Model,
                Firmware = new FirmwareTarget { Version = version, Url = url, FileSize = fileSize },
            },
        });
        return manufacturer;
    }

    /// <summary>An image announcing <paramref name="version"/> put in the orchestrator's image folder; its file name.</summary>
    private string ImageInFolder(string version)
    {
        var name = $"sim-{version}-{Guid.NewGuid().ToString("N")[..6]}.bin";
        File.WriteAllBytes(Path.Combine(fixture.ImageFolder, name), FirmwareImage.Create(version, 4096));
        return name;
    }

    private async Task<(string Serial, SimulatedCpe Cpe)> DeviceOfAsync(string prefix, string manufacturer, CpeBehavior? behavior = null)
    {
        var serial = fixture.NewSerial(prefix);
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, behavior, configure: o => o with { Manufacturer = manufacturer, ModelName = Model, SoftwareVersion = Old });
        return (serial, cpe);
    }

    private async Task<Workflow> BootstrapAsync(string serial, SimulatedCpe cpe)
    {
        await cpe.BootstrapAsync(); // returns after the sessions its Download causes
        return await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
    }

    /// <summary>The async projections (the failure report) catch up shortly after the workflow ends.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> find) where T : class
    {
        for (var until = DateTime.UtcNow + Patience; ; await Task.Delay(200))
        {
            if (await find() is { } found) return found;
            if (DateTime.UtcNow > until) throw new TimeoutException("not found in time");
        }
    }

    [Fact]
    public async Task A_device_on_older_firmware_is_upgraded_from_the_image_folder_before_its_configuration_is_pushed_and_traced()
    {
        listener.ActivityStopped = stopped.Add;
        ActivitySource.AddActivityListener(listener);
        var manufacturer = await ProfileTargetingAsync(Target, ImageInFolder(Target));
        var (serial, cpe) = await DeviceOfAsync("FWOK", manufacturer);

        var workflow = await BootstrapAsync(serial, cpe);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(Target, workflow.FirmwareVersion);
        Assert.Equal(Target, cpe.SoftwareVersion);
        Assert.Equal([0u], cpe.TransferFaults);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["provisioning_requested", "device_authenticated", "service_profile_fetched", "firmware_upgraded", "config_pushed", "config_verified", "provisioning_succeeded"],
            events.Select(e => e.EventType));
        var upgraded = events[3].FirmwareUpgraded;
        Assert.Equal((Old, Target), (upgraded.FromVersion, upgraded.ToVersion));
        // The Download in the bootstrap session; the reboot's session reports the transfer, then the push runs in it.
        Assert.Equal(["Download"], cpe.History[0].RequestsFromAcs);
        Assert.Equal(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes);
        Assert.Equal(["SetParameterValues", "GetParameterValues"], cpe.History[1].RequestsFromAcs);
        Assert.Equal("Home-24", cpe.GetValue("Device.WiFi.SSID.1.SSID"));

        // The trace holds: the step's span in the workflow's trace, saying what it did.
        var step = Assert.Single(stopped, a => a.OperationName == "cpe.provision.upgrade_firmware" && Equals(a.GetTagItem("cpe.workflow_id"), workflow.WorkflowId));
        Assert.Equal(workflow.TraceId, step.TraceId.ToHexString());
        Assert.Equal((Old, Target, Target, true),
            (step.GetTagItem("cpe.firmware.version_before"), step.GetTagItem("cpe.firmware.version_target"), step.GetTagItem("cpe.firmware.version_after"), step.GetTagItem("cpe.firmware.image_served")));
        Assert.NotEqual(ActivityStatusCode.Error, step.Status);
    }

    public static TheoryData<string, uint> DownloadFailures => new()
    {
        { "fault-9010", 9010 },  // the CPE's transfer fails whatever the server does
        { "wrong-size", 9018 },  // the profile's FileSize is not the image's: the CPE's check of the real fetch fails
    };

    [Theory]
    [MemberData(nameof(DownloadFailures))]
    public async Task A_download_failure_ends_firmware_upgrade_failed_with_its_fault_in_the_workflow_and_the_failure_report(string variant, uint fault)
    {
        var image = ImageInFolder(Target);
        var manufacturer = await ProfileTargetingAsync(Target, image, fileSize: variant == "wrong-size" ? 1234ul : 0ul);
        var (serial, cpe) = await DeviceOfAsync("FWDF", manufacturer, new CpeBehavior { DownloadFault = variant == "fault-9010" ? 9010 : null });

        var workflow = await BootstrapAsync(serial, cpe);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.Equal(fault, workflow.FaultCode);
        Assert.Contains(fault.ToString(), workflow.FailureReason);
        Assert.Equal(Old, cpe.SoftwareVersion);
        Assert.Equal([fault], cpe.TransferFaults);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.DoesNotContain(events, e => e.EventType == "config_pushed");
        var failed = events[^1].ProvisioningFailed;
        Assert.Equal((WorkflowResult.FirmwareUpgradeFailed, fault), (failed.Result, failed.FaultCode));
        Assert.NotEmpty(failed.FaultString);
        // No push after a failed transfer: the reporting session carries nothing more.
        Assert.Equal(["7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes);
        Assert.Empty(cpe.History[1].RequestsFromAcs);

        var row = await UntilAsync(async () => (await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest())).Rows
            .FirstOrDefault(r => r.Result == WorkflowResult.FirmwareUpgradeFailed && r.Step == WorkflowStep.UpgradeFirmware && r.FaultCode == fault
                && r.Model == Model && r.FirmwareVersion == Old));
        Assert.True(row.Count >= 1);
    }

    [Fact]
    public async Task An_image_the_folder_does_not_hold_ends_firmware_upgrade_failed_saying_so_without_a_download()
    {
        var manufacturer = await ProfileTargetingAsync(Target, "not-in-the-folder.bin");
        var (serial, cpe) = await DeviceOfAsync("FWNF", manufacturer);

        var workflow = await BootstrapAsync(serial, cpe);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Contains("not-in-the-folder.bin", workflow.FailureReason);
        Assert.DoesNotContain("Download", cpe.History.SelectMany(s => s.RequestsFromAcs));
    }

    [Fact]
    public async Task A_device_that_comes_back_with_the_old_version_ends_firmware_upgrade_failed_with_the_reason()
    {
        var manufacturer = await ProfileTargetingAsync(Target, ImageInFolder(Target));
        var (serial, cpe) = await DeviceOfAsync("FWKO", manufacturer, new CpeBehavior { KeepsOldFirmware = true });

        var workflow = await BootstrapAsync(serial, cpe);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.Equal(0u, workflow.FaultCode);
        Assert.Contains($"came back with the old version {Old}, not {Target}", workflow.FailureReason);
        Assert.Equal([0u], cpe.TransferFaults);
        Assert.Equal(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes);
        Assert.DoesNotContain("SetParameterValues", cpe.History.SelectMany(s => s.RequestsFromAcs));
    }

    [Fact]
    public async Task UpgradeFirmware_reaches_a_provisioned_idle_device_by_Connection_Request_and_installs_an_operators_image()
    {
        await using var images = await ImageServer.StartAsync();
        images.Files["op-3.0.0.bin"] = FirmwareImage.Create("3.0.0", 2048);
        // No profile for this manufacturer: provisioning leaves the firmware alone.
        var (serial, cpe) = await DeviceOfAsync("FWOP", "FwNone" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(WorkflowResult.Success, (await BootstrapAsync(serial, cpe)).Result);
        var sessions = cpe.History.Count;

        var response = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest
        {
            SerialNumber = serial, Version = "3.0.0", Url = images.Url("op-3.0.0.bin"), FileSize = 2048, Wait = true,
        }, deadline: DateTime.UtcNow + Patience);

        var workflow = response.Workflow;
        Assert.Equal((WorkflowKind.UpgradeFirmware, WorkflowResult.Success, "3.0.0"), (workflow.Kind, workflow.Result, workflow.FirmwareVersion));
        Assert.Equal("3.0.0", cpe.SoftwareVersion);
        Assert.Equal(1, images.Fetches);
        await cpe.WaitForSessionsAsync(sessions + 2, TimeSpan.FromSeconds(10));
        Assert.Equal(["6 CONNECTION REQUEST"], cpe.History[sessions].EventCodes);
        Assert.Equal(["Download"], cpe.History[sessions].RequestsFromAcs);
        Assert.Equal(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"], cpe.History[sessions + 1].EventCodes);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["provisioning_requested", "device_authenticated", "firmware_upgraded", "provisioning_succeeded"], events.Select(e => e.EventType));
        Assert.Contains("CONNECTION", events[1].DeviceAuthenticated.ReachedVia.ToUpperInvariant());
        Assert.Equal((Old, "3.0.0"), (events[2].FirmwareUpgraded.FromVersion, events[2].FirmwareUpgraded.ToVersion));
        // The reboot into the new image starts no provisioning of its own: the bootstrap's and the upgrade's, no more.
        Assert.Equal(2, (await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial })).Workflows.Count);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Southbound.Usp.Tests.Interop;

namespace Provisioning.Southbound.Usp.Tests.EndToEnd;

/// <summary>
/// Issue 18: a firmware upgrade of USP agents through the whole system — the model profile's target served from the
/// orchestrator's image folder, FirmwareImage Download(), its OperationComplete, Activate(), the reboot, Boot! and the
/// version after — as a step of provisioning and as UpgradeFirmware, with the simulator and with usp_agent.py.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class UspFirmwareUpgradeTests(UspSystemFixture fixture) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);
    private const string Old = "2.4.1";
    private const string Target = "3.0.0";
    private const string Model = "USP-Gateway-1";

    private readonly ConcurrentBag<Activity> stopped = [];
    private readonly ActivityListener listener = new()
    {
        ShouldListenTo = s => s.Name.StartsWith("Provisioning.", StringComparison.Ordinal),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public void Dispose() => listener.Dispose();

    /// <summary>A model profile of the test's own (manufacturer, model) targeting a new image of the image folder.</summary>
    private async Task ProfileTargetingAsync(string manufacturer, string model, string version)
    {
        var image = $"usp-{version}-{Guid.NewGuid().ToString("N")[..6]}.bin";
        await File.WriteAllBytesAsync(Path.Combine(fixture.ImageFolder, image), FirmwareFileServer.Image(version));
        await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
        {
            Profile = new ModelProfile
            {
                Name = "fw-" + (manufacturer + "-" + model).ToLowerInvariant().Replace(' ', '-'),
                Manufacturer = manufacturer,
                Model = model,
                Firmware = new FirmwareTarget { Version = version, Url = image },
            },
        });
    }

    /// <summary>A registered simulated agent of a manufacturer whose profile targets <see cref="Target"/>, provisioned zero-touch.</summary>
    private async Task<(Workflow Workflow, Provisioning.Simulators.Usp.Agents.SimulatedUspAgent Agent)> ProvisionAsync(
        string prefix, Action<Provisioning.Simulators.Usp.Agents.SimulatedUspAgent>? prepare = null)
    {
        var manufacturer = "UspFw" + Guid.NewGuid().ToString("N")[..8];
        await ProfileTargetingAsync(manufacturer, Model, Target);
        var serial = fixture.NewSerial(prefix);
        await fixture.RegisterAsync(serial);
        var agent = fixture.StartAgent(serial, prepare: prepare, identity: new AgentIdentity(serial, Manufacturer: manufacturer, ModelName: Model, SoftwareVersion: Old));
        return (await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience), agent);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> find) where T : class
    {
        for (var until = DateTime.UtcNow + Patience; ; await Task.Delay(200))
        {
            if (await find() is { } found) return found;
            if (DateTime.UtcNow > until) throw new TimeoutException("not found in time");
        }
    }

    [Fact]
    public async Task An_agent_on_older_firmware_is_upgraded_from_the_image_folder_before_its_configuration_is_pushed_and_traced()
    {
        listener.ActivityStopped = stopped.Add;
        ActivitySource.AddActivityListener(listener);

        var (workflow, agent) = await ProvisionAsync("UFWOK");

        Assert.True(workflow.Result == WorkflowResult.Success, workflow.ToString());
        Assert.Equal(Target, workflow.FirmwareVersion);
        Assert.Equal(Target, agent.DataModel["Device.DeviceInfo.SoftwareVersion"]);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["provisioning_requested", "device_authenticated", "service_profile_fetched", "firmware_upgraded", "config_pushed", "config_verified", "provisioning_succeeded"],
            events.Select(e => e.EventType));
        Assert.Equal((Old, Target), (events[3].FirmwareUpgraded.FromVersion, events[3].FirmwareUpgraded.ToVersion));
        Assert.Equal("Usp-24", agent.DataModel["Device.WiFi.SSID.1.SSID"]);

        var step = Assert.Single(stopped, a => a.OperationName == "cpe.provision.upgrade_firmware" && Equals(a.GetTagItem("cpe.workflow_id"), workflow.WorkflowId));
        Assert.Equal(workflow.TraceId, step.TraceId.ToHexString());
        Assert.Equal((Old, Target, Target, true),
            (step.GetTagItem("cpe.firmware.version_before"), step.GetTagItem("cpe.firmware.version_target"), step.GetTagItem("cpe.firmware.version_after"), step.GetTagItem("cpe.firmware.image_served")));
    }

    [Fact]
    public async Task A_download_failure_ends_firmware_upgrade_failed_with_its_usp_code_in_the_workflow_and_the_failure_report()
    {
        var (workflow, agent) = await ProvisionAsync("UFWDF", a => a.DownloadError = 7022);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.Equal(7022u, workflow.FaultCode);
        Assert.Contains("7022", workflow.FailureReason);
        Assert.Equal(Old, agent.DataModel["Device.DeviceInfo.SoftwareVersion"]);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.DoesNotContain(events, e => e.EventType == "config_pushed");
        Assert.Equal((WorkflowResult.FirmwareUpgradeFailed, 7022u), (events[^1].ProvisioningFailed.Result, events[^1].ProvisioningFailed.FaultCode));

        var row = await UntilAsync(async () => (await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest())).Rows
            .FirstOrDefault(r => r.Result == WorkflowResult.FirmwareUpgradeFailed && r.Step == WorkflowStep.UpgradeFirmware && r.FaultCode == 7022 && r.Model == Model));
        Assert.True(row.Count >= 1);
    }

    [Fact]
    public async Task An_agent_that_comes_back_with_the_old_version_ends_firmware_upgrade_failed_with_the_reason()
    {
        var (workflow, agent) = await ProvisionAsync("UFWKO", a => a.KeepsOldFirmware = true);

        Assert.Equal(WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
        Assert.Equal(0u, workflow.FaultCode);
        Assert.Contains($"came back with the old version {Old}, not {Target}", workflow.FailureReason);
        Assert.Equal(Old, agent.DataModel["Device.DeviceInfo.SoftwareVersion"]);
    }

    [Fact]
    public async Task UpgradeFirmware_installs_the_model_profiles_target_on_the_provisioned_independent_agent()
    {
        var serial = fixture.NewSerial("UFWPY");
        var model = "Interop-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.RegisterAsync(serial);
        await using var agent = IndependentAgentProcess.Start(fixture.System.UspWebSocketUrl, fixture.System.UspControllerEndpointId,
            UspSystemFixture.Ref(serial).EndpointId, serial, ["--oui", "00D09E", "--product-class", "HGW-USP", "--greeting", "connect", "--model", model]);
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.True(first.Result == WorkflowResult.Success, first.ToString());
        await ProfileTargetingAsync("Interop Labs", model, "8.0"); // after provisioning: the operation installs it

        var response = await fixture.System.Provisioning.UpgradeFirmwareAsync(new UpgradeFirmwareRequest { SerialNumber = serial, Wait = true },
            deadline: DateTime.UtcNow + Patience);

        var workflow = response.Workflow;
        Assert.True(workflow.Result == WorkflowResult.Success, workflow.ToString());
        Assert.Equal((WorkflowKind.UpgradeFirmware, "8.0"), (workflow.Kind, workflow.FirmwareVersion));
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["provisioning_requested", "device_authenticated", "firmware_upgraded", "provisioning_succeeded"], events.Select(e => e.EventType));
        Assert.Equal(("4.2.1", "8.0"), (events[2].FirmwareUpgraded.FromVersion, events[2].FirmwareUpgraded.ToVersion));
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal(("Device.DeviceInfo.FirmwareImage.2.", "8.0"), (report.DataModel["Device.DeviceInfo.ActiveFirmwareImage"], report.DataModel["Device.DeviceInfo.SoftwareVersion"]));
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Southbound.Cwmp.Tests.EndToEnd;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// Issue 18 through the whole system with the independent CPE (tests/Interop/cwmp_cpe.py): its model profile targets a
/// newer firmware served from the orchestrator's image folder, and provisioning upgrades it before the push, the way the
/// specification (not this code base's simulator) carries Download, the reboot and TransferComplete.
/// </summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class IndependentCpeProvisionedUpgradeTests(CwmpSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Theory]
    [InlineData("", WorkflowResult.Success, 0u, "7.0")]
    [InlineData("--download-fault=9010", WorkflowResult.FirmwareUpgradeFailed, 9010u, "3.1.4")]
    [InlineData("--keep-old-firmware", WorkflowResult.FirmwareUpgradeFailed, 0u, "3.1.4")]
    public async Task The_independent_cpe_is_upgraded_from_the_image_folder_while_provisioned(string option, WorkflowResult result, uint fault, string version)
    {
        var serial = fixture.NewSerial("INDFW");
        var manufacturer = "IndieFw" + Guid.NewGuid().ToString("N")[..8];
        var image = $"indie-7.0-{Guid.NewGuid().ToString("N")[..6]}.bin";
        await File.WriteAllBytesAsync(Path.Combine(fixture.ImageFolder, image), FirmwareImage.Create("7.0", 2048));
        await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
        {
            Profile = new ModelProfile
            {
                Name = "fw-" + manufacturer.ToLowerInvariant(), Manufacturer = manufacturer, Model = "IndieGateway", // it informs no ModelName: the ProductClass stands for it
                Firmware = new FirmwareTarget { Version = "7.0", Url = image },
            },
        });
        var identity = IndependentCpeInventory.Identity(serial, "A1B2C3", "IndieGateway");
        await IndependentCpeInventory.RegisterAsync(fixture, identity, CwmpSystemFixture.Plan("indie-gold"));

        var run = await IndependentCpe.RunAsync([.. IndependentCpeInventory.Arguments(fixture.AcsUrl, identity, own: false),
            "--manufacturer", manufacturer, "--software-version", "3.1.4", "--reboot-delay", "0.05", .. option.Length > 0 ? new[] { option } : []]);
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(result, workflow.Result);
        Assert.Equal(fault, workflow.FaultCode);
        Assert.Equal(version, run.Parameter("Device.DeviceInfo.SoftwareVersion"));
        Assert.Equal(["Download"], CpeRun.Strings(run.Sessions[0].GetProperty("acs_methods")));
        var reporting = run.Sessions[1];
        Assert.Equal(fault == 0 ? ["1 BOOT", "7 TRANSFER COMPLETE", "M Download"] : ["7 TRANSFER COMPLETE", "M Download"], CpeRun.Strings(reporting.GetProperty("events")));
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        if (result == WorkflowResult.Success)
        {
            Assert.Equal("7.0", workflow.FirmwareVersion);
            Assert.Contains("SetParameterValues", CpeRun.Strings(reporting.GetProperty("acs_methods")));
            var types = events.Select(e => e.EventType).ToList();
            Assert.True(types.IndexOf("firmware_upgraded") < types.IndexOf("config_pushed"), string.Join(", ", types));
        }
        else
        {
            Assert.Equal(WorkflowStep.UpgradeFirmware, workflow.FailedStep);
            Assert.DoesNotContain("SetParameterValues", run.Sessions.SelectMany(s => CpeRun.Strings(s.GetProperty("acs_methods"))));
            if (fault == 0) Assert.Contains("came back with the old version 3.1.4, not 7.0", workflow.FailureReason);
        }
    }
}

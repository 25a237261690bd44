using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// DownloadFirmware through this ACS to the independent CPE (tests/Interop/cwmp_cpe.py), which fetches the image from a
/// real file server, reboots and reports TransferComplete in its next session the way the specification says, not the
/// way this code base's simulator does.
/// </summary>
public sealed class IndependentCpeUpgradeTests
{
    [Theory]
    [InlineData("image.bin", "", 0u, "7.0")]
    [InlineData("image.bin", "--download-fault=9010", 9010u, "3.1.4")]
    [InlineData("missing.bin", "", 9016u, "3.1.4")]
    [InlineData("image.bin", "--keep-old-firmware", 0u, "3.1.4")]
    public async Task An_upgrade_of_the_independent_cpe_reports_its_transfer_and_the_version_it_runs_after(string file, string option, uint fault, string version)
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        var image = FirmwareImage.Create("7.0", 2048);
        images.Files["image.bin"] = image;
        var serial = "IND-UP-" + fault + (option.Length > 0 ? "-opt" : "");
        h.Orchestrator.Decide = r => r.EventCodes.Contains("0 BOOTSTRAP")
            ? new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-up" }
            : new DeviceContactDecision();
        await using var cpe = IndependentCpe.Start([
            "--acs-url", h.AcsUrl.ToString(), "--serial", serial, "--oui", "00D09E", "--product-class", "SimGateway",
            "--username", "bootstrap", "--password", "bootstrap", "--reboot-delay", "0.05", .. option.Length > 0 ? new[] { option } : []]);
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == serial, TimeSpan.FromSeconds(20));

        var upgraded = await h.Client.DownloadFirmwareAsync(new DownloadFirmwareRequest
        {
            Device = AcsHarness.Ref(serial), WorkflowId = "wf-up", CommandKey = "py-up", Url = images.Url(file),
            FileSize = file == "image.bin" ? (ulong)image.Length : 0,
        }, deadline: AcsHarness.Deadline(30));
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref(serial), WorkflowId = "wf-up" });
        var run = await cpe.WaitAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Null(upgraded.Failure);
        Assert.Equal(("py-up", fault), (upgraded.Transfer.CommandKey, upgraded.Transfer.FaultCode));
        Assert.Equal(fault == 0, upgraded.Transfer.FaultString.Length == 0);
        Assert.NotEqual("", upgraded.Transfer.CompleteTime);
        Assert.Equal(version, upgraded.FirmwareVersionAfter);
        Assert.Equal(2, run.Sessions.Count);
        Assert.Equal(["Download"], CpeRun.Strings(run.Sessions[0].GetProperty("acs_methods")));
        var reporting = run.Sessions[1];
        Assert.Equal(fault == 0 ? ["1 BOOT", "7 TRANSFER COMPLETE", "M Download"] : ["7 TRANSFER COMPLETE", "M Download"], CpeRun.Strings(reporting.GetProperty("events")));
        Assert.Equal("py-up", reporting.GetProperty("transfer_complete").GetProperty("command_key").GetString()); // acknowledged
    }
}

using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Southbound.Cwmp.Tests.Simulator;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// The independent CPE (tests/Interop/cwmp_cpe.py) does a Download and a FactoryReset the way the simulator does, against
/// the scripted ACS and a real file server: the peers the orchestrator side will later be tested with behave the same.
/// </summary>
public sealed class IndependentCpeFirmwareTests
{
    private static async Task<(CpeRun Run, SeenTransferComplete? Transfer)> RunAsync(ScriptedAcs acs, params string[] extra)
    {
        var run = await IndependentCpe.RunAsync(["--acs-url", acs.AcsUrl.ToString(), "--serial", "PYFW1", "--reboot-delay", "0.05", .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return (run, acs.TransferCompletes.LastOrDefault());
    }

    [Fact]
    public async Task A_download_is_fetched_and_the_cpe_reboots_into_the_images_version()
    {
        await using var acs = new ScriptedAcs();
        var image = FirmwareImage.Create("7.0", 2048);
        acs.Files["image.bin"] = image;
        acs.Send("Download", ScriptedAcs.Download("py-7", acs.BaseUrl + "/fw/image.bin", image.Length));

        var (run, transfer) = await RunAsync(acs);

        Assert.Equal(("py-7", 0u), (transfer!.CommandKey, transfer.FaultCode));
        var after = acs.Informs.Last();
        Assert.Equal([("1 BOOT", ""), ("7 TRANSFER COMPLETE", ""), ("M Download", "py-7")], after.Events);
        Assert.Equal("7.0", after.Parameters["Device.DeviceInfo.SoftwareVersion"]);
        Assert.Equal(2, run.Sessions.Count);
    }

    [Theory]
    [InlineData("/fw/missing.bin", "", 9016u)]
    [InlineData("/fw/locked.bin", "wrong", 9012u)]
    [InlineData("/fw/image.bin", "--download-fault=9010", 9010u)]
    public async Task A_failed_download_reports_its_fault_code_without_a_reboot(string path, string option, uint expected)
    {
        await using var acs = new ScriptedAcs();
        acs.Files["image.bin"] = FirmwareImage.Create("7.0");
        acs.Files["locked.bin"] = FirmwareImage.Create("7.0");
        acs.Protected["locked.bin"] = "fw:s3cret";
        acs.Send("Download", ScriptedAcs.Download("bad", acs.BaseUrl + path, username: option == "wrong" ? "fw" : "", password: option));

        var (_, transfer) = await RunAsync(acs, option.StartsWith("--", StringComparison.Ordinal) ? [option] : []);

        Assert.Equal(expected, transfer!.FaultCode);
        var after = acs.Informs.Last();
        Assert.Equal([("7 TRANSFER COMPLETE", ""), ("M Download", "bad")], after.Events);
        Assert.Equal("3.1.4", after.Parameters["Device.DeviceInfo.SoftwareVersion"]);
    }

    [Fact]
    public async Task Keep_old_firmware_reports_success_and_comes_back_unchanged_and_factory_reset_bootstraps()
    {
        await using var acs = new ScriptedAcs();
        acs.Files["image.bin"] = FirmwareImage.Create("7.0");
        acs.Send("Download", ScriptedAcs.Download("same", acs.BaseUrl + "/fw/image.bin"));

        var (_, transfer) = await RunAsync(acs, "--keep-old-firmware");
        Assert.Equal(0u, transfer!.FaultCode);
        Assert.Equal("3.1.4", acs.Informs.Last().Parameters["Device.DeviceInfo.SoftwareVersion"]);

        await using var acs2 = new ScriptedAcs();
        acs2.Send("FactoryReset", "");
        await RunAsync(acs2);
        var boot = acs2.Informs.Last();
        Assert.Equal([("0 BOOTSTRAP", ""), ("1 BOOT", "")], boot.Events);
        Assert.Equal(2, acs2.Informs.Count);
        Assert.Equal("", boot.Parameters["Device.ManagementServer.ParameterKey"]);
    }
}

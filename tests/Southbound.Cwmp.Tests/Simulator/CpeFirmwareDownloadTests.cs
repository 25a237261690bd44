using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.DataModel;
using Provisioning.Simulators.Cwmp.Firmware;

namespace Provisioning.Southbound.Cwmp.Tests.Simulator;

/// <summary>
/// The simulated CPE's side of a firmware Download, a FactoryReset and a Reboot, against a scripted ACS and a real
/// file server (no orchestrator): it fetches the image for real, reboots into it and reports TransferComplete with the
/// fault code what happened deserves.
/// </summary>
public sealed class CpeFirmwareDownloadTests
{
    private const string Version = "Device.DeviceInfo.SoftwareVersion";

    private static async Task<(SimulatedCpe Cpe, SeenInform After, SeenTransferComplete Transfer)> DownloadAsync(
        ScriptedAcs acs, CwmpFleet fleet, string download, CpeBehavior? behavior = null, DataModelKind model = DataModelKind.Tr181)
    {
        var cpe = fleet.Add(new SimulatedCpeOptions { SerialNumber = "FW" + Guid.NewGuid().ToString("N")[..8], AcsUrl = acs.AcsUrl, DataModel = model }, behavior);
        acs.Send("Download", download);
        var first = await cpe.InformAsync("2 PERIODIC").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(first.Succeeded, first.ToString());
        Assert.Equal(["Download"], first.RequestsFromAcs);
        Assert.Equal(2, cpe.History.Count); // the Download's session, then the one reporting the transfer
        Assert.True(cpe.History[1].Succeeded, cpe.History[1].ToString());
        return (cpe, acs.Informs.Last(), Assert.Single(acs.TransferCompletes));
    }

    [Fact]
    public async Task A_firmware_download_reboots_into_the_version_the_image_names_and_reports_success()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        var image = FirmwareImage.Create("2.5.0", 4096);
        acs.Files["image.bin"] = image;

        var (cpe, after, transfer) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("fw-2.5.0", acs.BaseUrl + "/fw/image.bin", image.Length));

        Assert.Equal([("1 BOOT", ""), ("7 TRANSFER COMPLETE", ""), ("M Download", "fw-2.5.0")], after.Events);
        Assert.Equal("2.5.0", after.Parameters[Version]);
        Assert.Equal("2.5.0", cpe.SoftwareVersion);
        Assert.Equal(("fw-2.5.0", 0u), (transfer.CommandKey, transfer.FaultCode));
        Assert.True(DateTime.Parse(transfer.StartTime, System.Globalization.CultureInfo.InvariantCulture) <= DateTime.Parse(transfer.CompleteTime, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Without_the_header_line_the_version_is_the_target_file_name_else_the_url_name_and_tr098_reports_it_under_its_root()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        acs.Files["gw-3.1.bin"] = [1, 2, 3];

        var (_, named, _) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("a", acs.BaseUrl + "/fw/gw-3.1.bin", targetFileName: "gw-3.2.img"));
        Assert.Equal("gw-3.2", named.Parameters[Version]);

        await using var acs2 = new ScriptedAcs();
        acs2.Files["gw-3.1.bin"] = [1, 2, 3];
        var (_, fromUrl, _) = await DownloadAsync(acs2, fleet, ScriptedAcs.Download("b", acs2.BaseUrl + "/fw/gw-3.1.bin"), model: DataModelKind.Tr098);
        Assert.Equal("gw-3.1", fromUrl.Parameters["InternetGatewayDevice.DeviceInfo.SoftwareVersion"]);
    }

    [Fact]
    public async Task The_download_credential_answers_the_file_servers_basic_challenge_and_a_wrong_one_is_9012()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        acs.Files["locked.bin"] = FirmwareImage.Create("9.0");
        acs.Protected["locked.bin"] = "fw:s3cret";

        var (_, ok, transfer) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("k", acs.BaseUrl + "/fw/locked.bin", username: "fw", password: "s3cret"));
        Assert.Equal(0u, transfer.FaultCode);
        Assert.Equal("9.0", ok.Parameters[Version]);

        await using var acs2 = new ScriptedAcs();
        acs2.Files["locked.bin"] = FirmwareImage.Create("9.0");
        acs2.Protected["locked.bin"] = "fw:s3cret";
        var (cpe, failed, refused) = await DownloadAsync(acs2, fleet, ScriptedAcs.Download("k", acs2.BaseUrl + "/fw/locked.bin", username: "fw", password: "wrong"));
        Assert.Equal(9012u, refused.FaultCode);
        Assert.Equal([("7 TRANSFER COMPLETE", ""), ("M Download", "k")], failed.Events); // no reboot after a failed transfer
        Assert.Equal("1.0.0", cpe.SoftwareVersion);
    }

    [Theory]
    [InlineData("missing.bin", 0, 9016u)] // HTTP 404: unable to access file
    [InlineData("image.bin", 99, 9018u)] // FileSize differs: file corrupted
    public async Task A_real_transfer_failure_is_reported_with_its_fault_code_and_the_old_version(string file, long fileSize, uint expected)
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        acs.Files["image.bin"] = FirmwareImage.Create("2.0");

        var (cpe, after, transfer) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("c", acs.BaseUrl + "/fw/" + file, fileSize));

        Assert.Equal(expected, transfer.FaultCode);
        Assert.NotEmpty(transfer.FaultString);
        Assert.Equal("1.0.0", after.Parameters[Version]);
        Assert.Equal([expected], cpe.TransferFaults);
    }

    [Fact]
    public async Task A_file_server_refusing_connections_is_9015()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var (_, _, transfer) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("d", $"http://127.0.0.1:{port}/fw/image.bin"));

        Assert.Equal(9015u, transfer.FaultCode);
    }

    [Fact]
    public async Task Injected_faults_fail_the_download_or_bring_the_device_back_on_its_old_version()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        acs.Files["image.bin"] = FirmwareImage.Create("2.0");

        var (_, failed, fault) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("e", acs.BaseUrl + "/fw/image.bin"), new CpeBehavior { DownloadFault = 9010 });
        Assert.Equal(9010u, fault.FaultCode);
        Assert.Equal("1.0.0", failed.Parameters[Version]);

        await using var acs2 = new ScriptedAcs();
        acs2.Files["image.bin"] = FirmwareImage.Create("2.0");
        var (_, back, success) = await DownloadAsync(acs2, fleet, ScriptedAcs.Download("f", acs2.BaseUrl + "/fw/image.bin"), new CpeBehavior { KeepsOldFirmware = true });
        Assert.Equal(0u, success.FaultCode);
        Assert.Equal([("1 BOOT", ""), ("7 TRANSFER COMPLETE", ""), ("M Download", "f")], back.Events);
        Assert.Equal("1.0.0", back.Parameters[Version]);
    }

    [Fact]
    public async Task Factory_reset_bootstraps_with_the_initial_model_and_no_parameter_key_but_keeps_the_firmware()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        acs.Files["image.bin"] = FirmwareImage.Create("2.0");
        var (cpe, _, _) = await DownloadAsync(acs, fleet, ScriptedAcs.Download("g", acs.BaseUrl + "/fw/image.bin"));
        acs.Send("SetParameterValues", "<ParameterList><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value>changed</Value></ParameterValueStruct></ParameterList><ParameterKey>key-1</ParameterKey>");
        acs.Send("FactoryReset", "");

        var session = await cpe.InformAsync("2 PERIODIC").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["SetParameterValues", "FactoryReset"], session.RequestsFromAcs);
        var boot = acs.Informs.Last();
        Assert.Equal([("0 BOOTSTRAP", ""), ("1 BOOT", "")], boot.Events);
        Assert.Equal("", boot.Parameters["Device.ManagementServer.ParameterKey"]);
        Assert.Equal(cpe.SerialNumber + "-1", cpe.GetValue("Device.WiFi.SSID.1.SSID"));
        Assert.Equal("2.0", boot.Parameters[Version]);
    }

    [Fact]
    public async Task Reboot_comes_back_with_1_boot_and_m_reboot_carrying_the_command_key()
    {
        await using var acs = new ScriptedAcs();
        await using var fleet = await CwmpFleet.StartAsync();
        var cpe = fleet.Add(new SimulatedCpeOptions { SerialNumber = "RB1", AcsUrl = acs.AcsUrl });
        acs.Send("Reboot", "<CommandKey>op-42</CommandKey>");

        await cpe.InformAsync("2 PERIODIC").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([("1 BOOT", ""), ("M Reboot", "op-42")], acs.Informs.Last().Events);
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>
/// DownloadFirmware carried out to its end through the real ACS and a simulated CPE that fetches the image from a real
/// file server: the Download, the CPE's reboot and its TransferComplete in the next session, the version it runs after.
/// </summary>
public sealed class FirmwareUpgradeTests
{
    private const string Version = "Device.DeviceInfo.SoftwareVersion";

    private static DownloadFirmwareRequest Request(string serial, string workflowId, string commandKey, string url, long size = 0) => new()
    {
        Device = AcsHarness.Ref(serial), WorkflowId = workflowId, CommandKey = commandKey, Url = url, FileSize = (ulong)size,
        Username = "fw", Password = "not-logged",
    };

    [Fact]
    public async Task An_upgrade_reports_the_transfer_and_the_new_version_and_the_workflow_goes_on_in_the_boot_session()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.0.0", 4096);
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-OK", "wf-fw");

        var upgraded = await h.Client.DownloadFirmwareAsync(Request("SN-FW-OK", "wf-fw", "fw-2.0.0", images.Url("fw.bin"), 4096),
            deadline: AcsHarness.Deadline(20));

        Assert.Null(upgraded.Failure);
        Assert.Equal(("fw-2.0.0", 0u, ""), (upgraded.Transfer.CommandKey, upgraded.Transfer.FaultCode, upgraded.Transfer.FaultString));
        Assert.True(DateTimeOffset.Parse(upgraded.Transfer.StartTime, System.Globalization.CultureInfo.InvariantCulture)
                    <= DateTimeOffset.Parse(upgraded.Transfer.CompleteTime, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2.0.0", upgraded.FirmwareVersionAfter);
        // The boot session is reported to the orchestrator as any contact is.
        var boot = await h.Orchestrator.WaitForReportAsync(r => r.EventCodes.Contains("M Download"));
        Assert.Equal(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"], boot.EventCodes);
        Assert.Equal("2.0.0", boot.Identity.FirmwareVersion);

        // The workflow's next step runs in the session that reported the transfer: it was held for it.
        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-FW-OK"), WorkflowId = "wf-fw" };
        verify.ParameterNames.Add(Version);
        Assert.Equal("2.0.0", Assert.Single((await h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline())).Values).Value);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FW-OK"), WorkflowId = "wf-fw" });
        Assert.True((await session.WaitAsync(TimeSpan.FromSeconds(10))).Succeeded);

        Assert.Equal(2, cpe.History.Count); // no Connection Request was needed
        Assert.Equal(["Download"], cpe.History[0].RequestsFromAcs);
        Assert.Equal(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes);
        Assert.Equal(["GetParameterValues"], cpe.History[1].RequestsFromAcs);
        Assert.Equal([0u], cpe.TransferFaults);
        Assert.Equal(1, images.Fetches);
    }

    [Theory]
    [InlineData("fw.bin", 9010u)]
    [InlineData("missing.bin", 9016u)]
    public async Task A_failed_transfer_is_reported_with_its_fault_code_and_the_version_the_device_kept(string file, uint expected)
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.0.0");
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-BAD", "wf-bad", new CpeBehavior { DownloadFault = expected == 9010 ? 9010 : null });

        var upgraded = await h.Client.DownloadFirmwareAsync(Request("SN-FW-BAD", "wf-bad", "fw-bad", images.Url(file)), deadline: AcsHarness.Deadline(20));

        Assert.Null(upgraded.Failure); // the call did its work: the outcome is the device's fault, for the orchestrator to judge
        Assert.Equal(("fw-bad", expected), (upgraded.Transfer.CommandKey, upgraded.Transfer.FaultCode));
        Assert.StartsWith("File transfer failure", upgraded.Transfer.FaultString, StringComparison.Ordinal);
        Assert.Equal("1.0.0", upgraded.FirmwareVersionAfter);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FW-BAD"), WorkflowId = "wf-bad" });
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes); // no reboot after a failed transfer
    }

    [Fact]
    public async Task A_device_that_comes_back_with_its_old_version_is_reported_as_it_is_without_a_fault()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.0.0");
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-OLD", "wf-old", new CpeBehavior { KeepsOldFirmware = true });

        var upgraded = await h.Client.DownloadFirmwareAsync(Request("SN-FW-OLD", "wf-old", "fw-old", images.Url("fw.bin")), deadline: AcsHarness.Deadline(20));

        Assert.Null(upgraded.Failure);
        Assert.Equal(0u, upgraded.Transfer.FaultCode);
        Assert.Equal("1.0.0", upgraded.FirmwareVersionAfter); // the orchestrator decides what an image that did not take means
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FW-OLD"), WorkflowId = "wf-old" });
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("1 BOOT", cpe.History[1].EventCodes);
    }

    [Fact]
    public async Task A_download_the_cpe_refuses_is_a_device_fault_and_nothing_is_kept_for_it()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.0.0");
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-NO", "wf-no", new CpeBehavior { RefusesDownload = 9012 });

        var refused = await h.Client.DownloadFirmwareAsync(Request("SN-FW-NO", "wf-no", "fw-no", images.Url("fw.bin")), deadline: AcsHarness.Deadline());
        Assert.Equal((FailureKind.DeviceFault, 9012u), (refused.Failure.Kind, refused.Failure.FaultCode));
        Assert.Null(refused.Transfer);
        Assert.Equal("", refused.FirmwareVersionAfter);

        // Asked again with the same CommandKey: a refused Download left nothing to wait for, so it is sent again.
        var again = await h.Client.DownloadFirmwareAsync(Request("SN-FW-NO", "wf-no", "fw-no", images.Url("fw.bin")), deadline: AcsHarness.Deadline());
        Assert.Equal(9012u, again.Failure.FaultCode);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FW-NO"), WorkflowId = "wf-no" });
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["Download", "Download"], cpe.History[0].RequestsFromAcs);
        Assert.Single(cpe.History);
        Assert.Equal(0, images.Fetches);
    }

    [Fact]
    public async Task A_download_completed_within_its_session_is_reported_at_once_and_the_version_is_read_there()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.1.0");
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-NOW", "wf-now", new CpeBehavior { DownloadsWithinSession = true });

        var upgraded = await h.Client.DownloadFirmwareAsync(Request("SN-FW-NOW", "wf-now", "fw-now", images.Url("fw.bin")), deadline: AcsHarness.Deadline());

        Assert.Null(upgraded.Failure);
        Assert.Equal(("fw-now", 0u), (upgraded.Transfer.CommandKey, upgraded.Transfer.FaultCode));
        Assert.NotEqual("", upgraded.Transfer.CompleteTime);
        Assert.Equal("2.1.0", upgraded.FirmwareVersionAfter);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FW-NOW"), WorkflowId = "wf-now" });
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["Download", "GetParameterValues"], cpe.History[0].RequestsFromAcs);
        Assert.Single(cpe.History);
    }

    [Fact]
    public async Task A_call_re_driven_while_the_cpe_is_still_transferring_waits_for_the_same_transfer_without_a_second_download()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.2.0");
        images.Delay = TimeSpan.FromSeconds(3); // the transfer outlasts the first call's deadline
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-SLOW", "wf-slow");

        var first = await h.Client.DownloadFirmwareAsync(Request("SN-FW-SLOW", "wf-slow", "fw-slow", images.Url("fw.bin")), deadline: AcsHarness.Deadline(1.5));
        Assert.Equal(FailureKind.Timeout, first.Failure.Kind);
        Assert.Null(first.Transfer);

        // The orchestrator drives the step again (its deadline passed, or it restarted): the same CommandKey.
        var again = await h.Client.DownloadFirmwareAsync(Request("SN-FW-SLOW", "wf-slow", "fw-slow", images.Url("fw.bin")), deadline: AcsHarness.Deadline(20));

        Assert.Null(again.Failure);
        Assert.Equal(("fw-slow", 0u), (again.Transfer.CommandKey, again.Transfer.FaultCode));
        Assert.Equal("2.2.0", again.FirmwareVersionAfter);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FW-SLOW"), WorkflowId = "wf-slow" });
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, images.Fetches);
        Assert.Equal(["Download"], cpe.History.SelectMany(s => s.RequestsFromAcs));
    }

    [Fact]
    public async Task A_transfer_reported_while_no_call_waits_is_kept_and_the_re_driven_call_gets_it_without_a_second_download()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("2.3.0");
        images.Delay = TimeSpan.FromSeconds(2);
        var (cpe, session) = await h.HeldSessionAsync("SN-FW-KEPT", "wf-kept");
        var timedOut = await h.Client.DownloadFirmwareAsync(Request("SN-FW-KEPT", "wf-kept", "fw-kept", images.Url("fw.bin")), deadline: AcsHarness.Deadline(1));
        Assert.Equal(FailureKind.Timeout, timedOut.Failure.Kind);
        // The orchestrator is away (restarting): nobody wants the boot session, which ends once its TransferComplete is answered.
        h.Orchestrator.Decide = _ => new DeviceContactDecision();
        Assert.True((await session.WaitAsync(TimeSpan.FromSeconds(15))).Succeeded);
        Assert.Equal(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"], cpe.History[1].EventCodes);
        Assert.Empty(cpe.History[1].RequestsFromAcs);

        var redriven = await h.Client.DownloadFirmwareAsync(Request("SN-FW-KEPT", "wf-kept-2", "fw-kept", images.Url("fw.bin")), deadline: AcsHarness.Deadline());

        Assert.Null(redriven.Failure);
        Assert.Equal(("fw-kept", 0u), (redriven.Transfer.CommandKey, redriven.Transfer.FaultCode));
        Assert.Equal("2.3.0", redriven.FirmwareVersionAfter); // from the Inform of the session that reported it
        Assert.Equal(2, cpe.History.Count); // not even a Connection Request
        Assert.Equal(1, images.Fetches);
    }
}

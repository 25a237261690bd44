using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>
/// TransferComplete byte for byte, as a CPE's own SOAP stack sends it: only a well-formed report of this device's CommandKey
/// ends the DownloadFirmware call waiting for it; a malformed one gets 8003, and another key or another device's report
/// is answered and changes nothing else.
/// </summary>
public sealed class TransferCompleteTests
{
    private static readonly string Auth = RawCpe.Basic("bootstrap", "bootstrap");

    private static string Envelope(string body) => $"""
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
          <soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">raw-2</cwmp:ID></soapenv:Header>
          <soapenv:Body>{body}</soapenv:Body>
        </soapenv:Envelope>
        """;

    private static string TransferComplete(string inner) => Envelope($"<cwmp:TransferComplete>{inner}</cwmp:TransferComplete>");

    private static string Fault(uint code, string text = "") => $"<FaultStruct><FaultCode>{code}</FaultCode><FaultString>{text}</FaultString></FaultStruct>";

    private const string Times = "<StartTime>2026-11-24T10:00:00Z</StartTime><CompleteTime>0001-01-01T00:00:00Z</CompleteTime>";

    public static TheoryData<string, string> Malformed => new()
    {
        { "no CommandKey", Fault(0) + Times },
        { "no FaultStruct", "<CommandKey>fw-raw</CommandKey>" + Times },
        { "no FaultCode", "<CommandKey>fw-raw</CommandKey><FaultStruct><FaultString/></FaultStruct>" + Times },
        { "an empty FaultCode", "<CommandKey>fw-raw</CommandKey><FaultStruct><FaultCode/><FaultString/></FaultStruct>" + Times },
        { "a FaultCode that is not a number", "<CommandKey>fw-raw</CommandKey>" + Fault(0).Replace(">0<", ">ok<", StringComparison.Ordinal) + Times },
        { "an ACS fault code", "<CommandKey>fw-raw</CommandKey>" + Fault(8002) + Times },
        { "a StartTime that is not a dateTime", "<CommandKey>fw-raw</CommandKey>" + Fault(0) + "<StartTime>yesterday</StartTime><CompleteTime/>" },
        { "a CommandKey with a control character", "<CommandKey>fw-raw&#1;</CommandKey>" + Fault(0) + Times },
        { "a CommandKey of 300 characters", $"<CommandKey>{new string('k', 300)}</CommandKey>" + Fault(0) + Times },
    };

    [Fact]
    public async Task Only_a_well_formed_report_of_the_devices_own_command_key_completes_the_upgrade_and_the_version_is_read_when_the_inform_lacks_it()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });
        h.Orchestrator.Decide = r => r.EventCodes.Contains("0 BOOTSTRAP")
            ? new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-raw" }
            : new DeviceContactDecision();
        var first = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-RAWTC", "0 BOOTSTRAP", "1 BOOT"), authorization: Auth);
        Assert.Equal(200, first.Status);
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-RAWTC");

        var call = h.Client.DownloadFirmwareAsync(new DownloadFirmwareRequest
        {
            Device = AcsHarness.Ref("SN-RAWTC"), WorkflowId = "wf-raw", CommandKey = "fw-raw", Url = "http://files.invalid/fw.bin",
        }, deadline: AcsHarness.Deadline(30)).ResponseAsync;
        var download = await RawCpe.PostAsync(h.AcsUrl, "", first.Cookie, Auth);
        Assert.Contains("<cwmp:Download>", download.Body);
        Assert.Contains("<CommandKey>fw-raw</CommandKey>", download.Body);
        Assert.Contains("<FileType>1 Firmware Upgrade Image</FileType>", download.Body);
        // Status 1: the ACS lets the session end so the CPE can transfer and reboot.
        var ended = await RawCpe.PostAsync(h.AcsUrl, Envelope("<cwmp:DownloadResponse><Status>1</Status><StartTime>0001-01-01T00:00:00Z</StartTime>"
            + "<CompleteTime>0001-01-01T00:00:00Z</CompleteTime></cwmp:DownloadResponse>"), first.Cookie, Auth);
        Assert.Equal(204, ended.Status);

        // After the reboot: a new session, whose Inform does not name the SoftwareVersion.
        var boot = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-RAWTC", "1 BOOT", "7 TRANSFER COMPLETE", "M Download"), authorization: Auth);
        Assert.Equal(200, boot.Status);
        foreach (var (what, inner) in Malformed.Select(row => ((string)row[0], (string)row[1])))
        {
            var refused = await RawCpe.PostAsync(h.AcsUrl, TransferComplete(inner), boot.Cookie, Auth);
            Assert.True(refused.Status == 400, $"{what}: HTTP {refused.Status}");
            Assert.Contains("<FaultCode>8003</FaultCode>", refused.Body);
        }
        // Another key of this device, and this key from another device: answered, and nothing else.
        var unknown = await RawCpe.PostAsync(h.AcsUrl, TransferComplete("<CommandKey>fw-nobody</CommandKey>" + Fault(0) + Times), boot.Cookie, Auth);
        Assert.Contains("<cwmp:TransferCompleteResponse", unknown.Body);
        var stranger = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-STRANGER", "7 TRANSFER COMPLETE"), authorization: Auth);
        var foreign = await RawCpe.PostAsync(h.AcsUrl, TransferComplete("<CommandKey>fw-raw</CommandKey>" + Fault(9010, "not mine") + Times), stranger.Cookie, Auth);
        Assert.Contains("<cwmp:TransferCompleteResponse", foreign.Body);
        Assert.Equal(204, (await RawCpe.PostAsync(h.AcsUrl, "", stranger.Cookie, Auth)).Status); // its session is nobody's
        await Task.Delay(200);
        Assert.False(call.IsCompleted);

        var reported = await RawCpe.PostAsync(h.AcsUrl, TransferComplete("<CommandKey>fw-raw</CommandKey>" + Fault(0) + Times), boot.Cookie, Auth);
        Assert.Equal(200, reported.Status);
        Assert.Contains("<cwmp:TransferCompleteResponse", reported.Body);
        // The session is held for the call, which reads the version here.
        var read = await RawCpe.PostAsync(h.AcsUrl, "", boot.Cookie, Auth);
        Assert.Contains("<cwmp:GetParameterValues>", read.Body);
        Assert.Contains("Device.DeviceInfo.SoftwareVersion", read.Body);
        await RawCpe.PostAsync(h.AcsUrl, Envelope("<cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct>"
            + "<Name>Device.DeviceInfo.SoftwareVersion</Name><Value>3.0.1</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>"),
            boot.Cookie, Auth);

        var upgraded = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(upgraded.Failure);
        Assert.Equal(("fw-raw", 0u, ""), (upgraded.Transfer.CommandKey, upgraded.Transfer.FaultCode, upgraded.Transfer.FaultString));
        Assert.Equal("2026-11-24T10:00:00Z", upgraded.Transfer.StartTime);
        Assert.Equal("", upgraded.Transfer.CompleteTime); // CWMP's unknown time
        Assert.Equal("3.0.1", upgraded.FirmwareVersionAfter);
        Assert.Equal(1, h.Orchestrator.Reports.Count(r => r.EventCodes.Contains("M Download"))); // the boot session was reported as a contact
    }
}

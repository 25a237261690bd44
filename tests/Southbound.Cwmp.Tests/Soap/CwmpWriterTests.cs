using System.Text;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Soap;

namespace Provisioning.Southbound.Cwmp.Tests.Soap;

public sealed class CwmpWriterTests
{
    private static T RoundTrip<T>(CwmpMessage message, string ns = CwmpNamespaces.Cwmp12) where T : CwmpMessage
    {
        var bytes = CwmpWriter.ToBytes(new CwmpEnvelope(ns, new CwmpHeader { Id = "42" }, message));
        var envelope = CwmpReader.Read(bytes);
        Assert.Equal(ns, envelope.CwmpNamespace);
        Assert.Equal("42", envelope.Header.Id);
        return Assert.IsType<T>(envelope.Body);
    }

    [Fact]
    public void Set_parameter_values_carries_types_and_parameter_key()
    {
        var spv = new SetParameterValues(
            [new("Device.WiFi.SSID.1.SSID", "home & <garden>", "xsd:string"), new("Device.WiFi.SSID.1.Enable", "true", "xsd:boolean"), new("Device.Ethernet.VLANTermination.1.VLANID", "100", "xsd:unsignedInt")],
            "wf-123");

        var read = RoundTrip<SetParameterValues>(spv);

        Assert.Equal("wf-123", read.ParameterKey);
        Assert.Equal(spv.ParameterList, read.ParameterList);
    }

    [Fact]
    public void The_conventional_prefixes_and_array_types_are_written()
    {
        var xml = Encoding.UTF8.GetString(CwmpWriter.ToBytes(new CwmpEnvelope(CwmpNamespaces.Cwmp10, new CwmpHeader { Id = "1", UseCwmpVersion = "1.4" },
            new GetParameterValues(["Device.A", "Device.B"]))));

        Assert.Contains("<soap-env:Envelope", xml);
        Assert.Contains("xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"", xml);
        Assert.Contains("<cwmp:ID soap-env:mustUnderstand=\"1\">1</cwmp:ID>", xml);
        Assert.Contains("<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">1.4</cwmp:UseCWMPVersion>", xml);
        Assert.Contains("<ParameterNames soap-enc:arrayType=\"xsd:string[2]\">", xml);
        Assert.Contains("<cwmp:GetParameterValues>", xml);
    }

    [Fact]
    public void Every_cpe_method_round_trips()
    {
        Assert.Equal(new GetParameterNames("Device.WiFi.", true), RoundTrip<GetParameterNames>(new GetParameterNames("Device.WiFi.", true)));
        Assert.Equal(["Device.A"], RoundTrip<GetParameterValues>(new GetParameterValues(["Device.A"])).ParameterNames);
        Assert.Equal(["Device.A"], RoundTrip<GetParameterAttributes>(new GetParameterAttributes(["Device.A"])).ParameterNames);
        var spa = RoundTrip<SetParameterAttributes>(new SetParameterAttributes([new("Device.A", true, 2, false, ["Subscriber"])]));
        Assert.Equal(("Device.A", 2, "Subscriber"), (spa.ParameterList[0].Name, spa.ParameterList[0].Notification, spa.ParameterList[0].AccessList[0]));
        Assert.Equal(new AddObject("Device.X.", "k"), RoundTrip<AddObject>(new AddObject("Device.X.", "k")));
        Assert.Equal(new DeleteObject("Device.X.2.", "k"), RoundTrip<DeleteObject>(new DeleteObject("Device.X.2.", "k")));
        Assert.Equal(new Reboot("ck"), RoundTrip<Reboot>(new Reboot("ck")));
        RoundTrip<FactoryReset>(new FactoryReset());
        var download = new Download("ck", "1 Firmware Upgrade Image", "http://fw/x.bin", "u", "p", 1234, "x.bin", 5);
        Assert.Equal(download, RoundTrip<Download>(download));
        var upload = new Upload("ck", "1 Vendor Configuration File", "http://up/", "u", "p", 0);
        Assert.Equal(upload, RoundTrip<Upload>(upload));
        Assert.Equal(new ScheduleInform(30, "ck"), RoundTrip<ScheduleInform>(new ScheduleInform(30, "ck")));
        RoundTrip<GetRpcMethods>(new GetRpcMethods());
    }

    [Fact]
    public void Every_cpe_response_round_trips()
    {
        Assert.Equal(1, RoundTrip<SetParameterValuesResponse>(new SetParameterValuesResponse(1)).Status);
        Assert.Equal([new ParameterValueStruct("Device.A", "1", "xsd:boolean")], RoundTrip<GetParameterValuesResponse>(new GetParameterValuesResponse([new("Device.A", "1", "xsd:boolean")])).ParameterList);
        Assert.Equal([new ParameterInfoStruct("Device.A", true)], RoundTrip<GetParameterNamesResponse>(new GetParameterNamesResponse([new("Device.A", true)])).ParameterList);
        Assert.Equal(2, RoundTrip<GetParameterAttributesResponse>(new GetParameterAttributesResponse([new("Device.A", 2, [])])).ParameterList[0].Notification);
        RoundTrip<SetParameterAttributesResponse>(new SetParameterAttributesResponse());
        Assert.Equal(new AddObjectResponse(3, 0), RoundTrip<AddObjectResponse>(new AddObjectResponse(3, 0)));
        Assert.Equal(new DeleteObjectResponse(1), RoundTrip<DeleteObjectResponse>(new DeleteObjectResponse(1)));
        RoundTrip<RebootResponse>(new RebootResponse());
        RoundTrip<FactoryResetResponse>(new FactoryResetResponse());
        Assert.Equal(new DownloadResponse(1, "", ""), RoundTrip<DownloadResponse>(new DownloadResponse(1, "", "")));
        Assert.Equal(new UploadResponse(0, "a", "b"), RoundTrip<UploadResponse>(new UploadResponse(0, "a", "b")));
        RoundTrip<ScheduleInformResponse>(new ScheduleInformResponse());
        Assert.Equal(["Inform"], RoundTrip<GetRpcMethodsResponse>(new GetRpcMethodsResponse(["Inform"])).MethodList);
    }

    [Fact]
    public void Every_acs_method_and_its_response_round_trips()
    {
        var inform = new Inform(new DeviceIdStruct("Acme", "00D09E", "HGW", "SN1"), [new("0 BOOTSTRAP", ""), new("1 BOOT", "")], 1, "2026-01-01T00:00:00Z", 0,
            [new("Device.DeviceInfo.SoftwareVersion", "1.0", "xsd:string")]);
        var read = RoundTrip<Inform>(inform);
        Assert.Equal(inform.DeviceId, read.DeviceId);
        Assert.Equal(inform.Events, read.Events);
        Assert.Equal(inform.ParameterList, read.ParameterList);

        Assert.Equal(1, RoundTrip<InformResponse>(new InformResponse()).MaxEnvelopes);
        var tc = new TransferComplete("ck", new FaultStruct(9010, "failed"), "s", "c");
        Assert.Equal(tc, RoundTrip<TransferComplete>(tc));
        RoundTrip<TransferCompleteResponse>(new TransferCompleteResponse());
        var atc = new AutonomousTransferComplete("a", "t", true, "1 Firmware Upgrade Image", 10, "f", new FaultStruct(0, ""), "s", "c");
        Assert.Equal(atc, RoundTrip<AutonomousTransferComplete>(atc));
        var rd = RoundTrip<RequestDownload>(new RequestDownload("1 Firmware Upgrade Image", [new("Version", "2")]));
        Assert.Equal("2", rd.FileTypeArg[0].Value);
        RoundTrip<RequestDownloadResponse>(new RequestDownloadResponse());
    }

    [Fact]
    public void An_acs_fault_round_trips_in_the_cpe_namespace()
    {
        var fault = RoundTrip<CwmpFault>(CwmpFault.Acs(AcsFaultCode.InvalidArguments, "bad"), CwmpNamespaces.Cwmp10);
        Assert.Equal(8003u, fault.FaultCode);
        Assert.Equal("bad", fault.FaultString);
        Assert.Equal("Client", fault.SoapFaultCode);
    }

    [Theory]
    [InlineData("1.0,1.1,1.2,1.3,1.4", "1.4")]
    [InlineData("1.0, 1.2", "1.2")]
    [InlineData("2.0", null)]
    public void The_cwmp_version_is_negotiated(string supported, string? expected)
    {
        Assert.Equal(expected, CwmpNamespaces.NegotiateVersion(supported));
    }

    [Fact]
    public void Secret_values_do_not_appear_in_message_text()
    {
        var spv = new SetParameterValues([new("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "hunter22", "xsd:string")], "k");
        Assert.DoesNotContain("hunter22", spv.ToString());
        Assert.DoesNotContain("s3cret", new Download("k", "1", "http://x", "u", "s3cret", 0, "").ToString());
    }
}

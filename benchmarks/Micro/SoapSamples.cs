using System.Security;
using System.Text;

namespace Provisioning.Benchmarks.Micro;

/// <summary>Envelopes as the project's simulated CPE sends them (same shape as a field TR-181 gateway).</summary>
public static class SoapSamples
{
    public const string Inform = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">
        <soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">inform-1</cwmp:ID><cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.1,1.2,1.3,1.4</cwmp:SupportedCWMPVersions></soap-env:Header>
        <soap-env:Body><cwmp:Inform>
        <DeviceId><Manufacturer>Simulated CPE Inc.</Manufacturer><OUI>00D09E</OUI><ProductClass>SimGateway</ProductClass><SerialNumber>STC000001</SerialNumber></DeviceId>
        <Event soap-enc:arrayType="cwmp:EventStruct[2]"><EventStruct><EventCode>0 BOOTSTRAP</EventCode><CommandKey></CommandKey></EventStruct><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event>
        <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T07:00:00Z</CurrentTime><RetryCount>0</RetryCount>
        <ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[10]">
        <ParameterValueStruct><Name>Device.RootDataModelVersion</Name><Value xsi:type="xsd:string">2.15</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.DeviceInfo.HardwareVersion</Name><Value xsi:type="xsd:string">HW1</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type="xsd:string">1.0.0</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.DeviceInfo.ModelName</Name><Value xsi:type="xsd:string">SIM-1000</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.DeviceInfo.ProvisioningCode</Name><Value xsi:type="xsd:string"></Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.ManagementServer.ParameterKey</Name><Value xsi:type="xsd:string"></Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name><Value xsi:type="xsd:string">http://127.0.0.1:40000/cr/STC000001</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestUsername</Name><Value xsi:type="xsd:string">cr-user</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.IP.Interface.1.IPv4Address.1.IPAddress</Name><Value xsi:type="xsd:string">192.0.2.10</Value></ParameterValueStruct>
        <ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value xsi:type="xsd:string">factory-ssid</Value></ParameterValueStruct>
        </ParameterList></cwmp:Inform></soap-env:Body></soap-env:Envelope>
        """;

    /// <summary>What the storm's plan pushes to a TR-181 CPE: two Wi-Fi bands, one VoIP line, three VLANs, periodic inform.</summary>
    public static List<(string Name, string Value, string Type)> PlanParameters()
    {
        var list = new List<(string, string, string)>();
        foreach (var i in new[] { 1, 2 })
        {
            list.Add(($"Device.WiFi.SSID.{i}.SSID", $"Storm-Home-{i}", "xsd:string"));
            list.Add(($"Device.WiFi.SSID.{i}.Enable", "true", "xsd:boolean"));
            list.Add(($"Device.WiFi.AccessPoint.{i}.Security.ModeEnabled", "WPA2-Personal", "xsd:string"));
            list.Add(($"Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase", $"storm-wifi-key-{i}", "xsd:string"));
        }
        list.Add(("Device.Services.VoiceService.1.SIP.Client.1.Enable", "true", "xsd:boolean"));
        list.Add(("Device.Services.VoiceService.1.SIP.Client.1.AuthUserName", "storm-sip", "xsd:string"));
        list.Add(("Device.Services.VoiceService.1.SIP.Client.1.AuthPassword", "storm-sip-secret", "xsd:string"));
        list.Add(("Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber", "+3215550100", "xsd:string"));
        list.Add(("Device.Services.VoiceService.1.SIP.Network.1.RegistrarServer", "sip.storm.example", "xsd:string"));
        foreach (var (k, vlan) in new[] { (1, "100"), (2, "200"), (3, "300") })
        {
            list.Add(($"Device.Ethernet.VLANTermination.{k}.Enable", "true", "xsd:boolean"));
            list.Add(($"Device.Ethernet.VLANTermination.{k}.VLANID", vlan, "xsd:unsignedInt"));
        }
        list.Add(("Device.ManagementServer.PeriodicInformEnable", "true", "xsd:boolean"));
        list.Add(("Device.ManagementServer.PeriodicInformInterval", "3600", "xsd:unsignedInt"));
        return list;
    }

    public static string GetParameterValuesResponse(IEnumerable<(string Name, string Value, string Type)> parameters)
    {
        var list = parameters.ToList();
        var body = new StringBuilder();
        foreach (var (name, value, type) in list)
        {
            // Secrets read back empty (TR-069), as the simulated CPE answers.
            var readBack = name.EndsWith("KeyPassphrase", StringComparison.Ordinal) || name.EndsWith("AuthPassword", StringComparison.Ordinal) ? "" : value;
            body.Append("<ParameterValueStruct><Name>").Append(SecurityElement.Escape(name)).Append("</Name><Value xsi:type=\"")
                .Append(type).Append("\">").Append(SecurityElement.Escape(readBack)).Append("</Value></ParameterValueStruct>\n");
        }
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">
            <soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">wf-0123456789ab-verify</cwmp:ID></soap-env:Header>
            <soap-env:Body><cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[{list.Count}]">
            {body}</ParameterList></cwmp:GetParameterValuesResponse></soap-env:Body></soap-env:Envelope>
            """;
    }
}

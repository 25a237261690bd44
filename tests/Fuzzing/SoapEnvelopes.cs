using System.Text;

namespace Provisioning.Fuzzing;

/// <summary>Valid CWMP envelopes a CPE sends: the seeds the mutations start from.</summary>
public static class SoapEnvelopes
{
    private const string Open = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
            xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">
          <soap:Header><cwmp:ID soap:mustUnderstand="1">42</cwmp:ID></soap:Header>
          <soap:Body>
        """;

    private const string Close = "</soap:Body></soap:Envelope>";

    public static readonly IReadOnlyList<byte[]> Seeds = new[]
    {
        Open + """
            <cwmp:Inform>
              <DeviceId><Manufacturer>Acme</Manufacturer><OUI>00D09E</OUI><ProductClass>HGW</ProductClass><SerialNumber>SN0001</SerialNumber></DeviceId>
              <Event soapenc:arrayType="cwmp:EventStruct[2]">
                <EventStruct><EventCode>0 BOOTSTRAP</EventCode><CommandKey></CommandKey></EventStruct>
                <EventStruct><EventCode>1 BOOT</EventCode><CommandKey/></EventStruct>
              </Event>
              <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T06:00:00Z</CurrentTime><RetryCount>0</RetryCount>
              <ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[2]">
                <ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type="xsd:string">1.2.3</Value></ParameterValueStruct>
                <ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name><Value xsi:type="xsd:string">http://10.0.0.1:7547/cr</Value></ParameterValueStruct>
              </ParameterList>
            </cwmp:Inform>
            """ + Close,
        Open + """
            <cwmp:GetParameterValuesResponse>
              <ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[3]">
                <ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value xsi:type="xsd:string">home</Value></ParameterValueStruct>
                <ParameterValueStruct><Name>Device.WiFi.SSID.1.Enable</Name><Value xsi:type="xsd:boolean">1</Value></ParameterValueStruct>
                <ParameterValueStruct><Name>Device.Ethernet.VLANTermination.1.VLANID</Name><Value xsi:type="xsd:unsignedInt">100</Value></ParameterValueStruct>
              </ParameterList>
            </cwmp:GetParameterValuesResponse>
            """ + Close,
        Open + "<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>" + Close,
        Open + """
            <soap:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring>
              <detail><cwmp:Fault><FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString>
                <SetParameterValuesFault><ParameterName>Device.WiFi.SSID.1.SSID</ParameterName><FaultCode>9007</FaultCode><FaultString>bad value</FaultString></SetParameterValuesFault>
              </cwmp:Fault></detail>
            </soap:Fault>
            """ + Close,
        Open + """
            <cwmp:TransferComplete><CommandKey>fw</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString></FaultString></FaultStruct>
              <StartTime>2026-11-24T06:00:00Z</StartTime><CompleteTime>2026-11-24T06:01:00Z</CompleteTime></cwmp:TransferComplete>
            """ + Close,
        Open + "<cwmp:GetRPCMethods/>" + Close,
    }.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Hostile documents crafted by hand: entity expansion, external entities, deep nesting, huge attributes.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Crafted()
    {
        yield return ("billion laughs", Encoding.UTF8.GetBytes("""
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol4;</soap:Body></soap:Envelope>
            """));
        yield return ("external entity", Encoding.UTF8.GetBytes("""
            <?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&xxe;</soap:Body></soap:Envelope>
            """));
        yield return ("undeclared entity", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[0]).Replace("Acme", "&acme;")));
        yield return ("character references", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[0]).Replace("Acme", string.Concat(Enumerable.Repeat("&#x41;&#0;&#xD800;", 50)))));
        yield return ("deep nesting", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[0]).Replace("<cwmp:Inform>", string.Concat(Enumerable.Repeat("<a>", 100_000)) + "<cwmp:Inform>")));
        yield return ("huge attribute", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[1]).Replace("<Value ", $"<Value big=\"{new string('x', 3_000_000)}\" ")));
        yield return ("many attributes", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[1]).Replace("<Value ", "<Value " + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"a{i}=\"1\" ")))));
        // Found by the mutation campaign (seed 6wcy-LKeKUU2): XmlReader threw ArgumentOutOfRangeException on it.
        yield return ("noncharacter in the declaration", Encoding.UTF8.GetBytes("<?xml version=\"1.0\uFFFE\" encoding=\"UTF-8\"?>"));
        yield return ("utf-16 declared, utf-8 sent", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[2]).Replace("UTF-8", "UTF-16")));
        yield return ("unknown encoding", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[2]).Replace("UTF-8", "x-no-such-encoding")));
        yield return ("ebcdic encoding", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[2]).Replace("UTF-8", "IBM037")));
        yield return ("processing instructions", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[2]).Replace("<soap:Body>", "<soap:Body><?php evil() ?><!-- c --><![CDATA[x]]>")));
        yield return ("empty", []);
        yield return ("BOM only", [0xEF, 0xBB, 0xBF]);
        yield return ("UTF-32 BOM", [0x00, 0x00, 0xFE, 0xFF, 0, 0, 0, (byte)'<']);
        yield return ("huge integer", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[2]).Replace("<Status>0</Status>", $"<Status>{new string('9', 5000)}</Status>")));
        yield return ("huge array", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Seeds[1]).Replace("ParameterValueStruct[3]", "ParameterValueStruct[2147483647]")));
    }
}

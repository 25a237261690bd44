using System.Text;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Soap;

namespace Provisioning.Southbound.Cwmp.Tests.Soap;

public sealed class CwmpReaderTests
{
    private static CwmpEnvelope Parse(string xml, CwmpReaderLimits? limits = null) =>
        CwmpReader.Read(Encoding.UTF8.GetBytes(xml), limits);

    private const string FieldInform = """
        <?xml version="1.0" encoding="UTF-8"?>
        <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
            xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
          <SOAP-ENV:Header>
            <cwmp:ID SOAP-ENV:mustUnderstand="1"> 1234 </cwmp:ID>
          </SOAP-ENV:Header>
          <SOAP-ENV:Body>
            <cwmp:Inform>
              <DeviceId>
                <Manufacturer>Acme</Manufacturer>
                <OUI> 00D09E </OUI>
                <ProductClass>HGW</ProductClass>
                <SerialNumber>SN0001</SerialNumber>
              </DeviceId>
              <Event SOAP-ENC:arrayType="cwmp:EventStruct[5]">
                <EventStruct><EventCode>0 BOOTSTRAP</EventCode><CommandKey></CommandKey></EventStruct>
                <EventStruct><EventCode>1 BOOT</EventCode><CommandKey/></EventStruct>
              </Event>
              <MaxEnvelopes>1</MaxEnvelopes>
              <CurrentTime>2026-11-24T06:00:00Z</CurrentTime>
              <RetryCount>0</RetryCount>
              <ParameterList SOAP-ENC:arrayType="cwmp:ParameterValueStruct[1]">
                <ParameterValueStruct>
                  <Name>InternetGatewayDevice.DeviceInfo.SoftwareVersion</Name>
                  <Value>1.2.3</Value>
                </ParameterValueStruct>
                <ParameterValueStruct>
                  <Name>InternetGatewayDevice.ManagementServer.ConnectionRequestURL</Name>
                  <Value xsi:type="xsd:string">http://10.0.0.1:7547/cr</Value>
                </ParameterValueStruct>
              </ParameterList>
            </cwmp:Inform>
          </SOAP-ENV:Body>
        </SOAP-ENV:Envelope>
        """;

    [Fact]
    public void A_field_inform_with_other_prefixes_missing_types_and_wrong_array_sizes_is_read()
    {
        var envelope = Parse(FieldInform);

        Assert.Equal(CwmpNamespaces.Cwmp10, envelope.CwmpNamespace);
        Assert.Equal("1234", envelope.Header.Id);
        var inform = Assert.IsType<Inform>(envelope.Body);
        Assert.Equal(new DeviceIdStruct("Acme", "00D09E", "HGW", "SN0001"), inform.DeviceId);
        Assert.Equal(["0 BOOTSTRAP", "1 BOOT"], inform.Events.Select(e => e.EventCode));
        Assert.Equal(2, inform.ParameterList.Count);
        Assert.Null(inform.ParameterList[0].Type);
        Assert.Equal("xsd:string", inform.ParameterList[1].Type);
        Assert.Equal("http://10.0.0.1:7547/cr", inform.ParameterList[1].Value);
    }

    [Fact]
    public void Default_namespace_and_cwmp_1_2_header_fields_are_read()
    {
        var envelope = Parse("""
            <Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/">
              <Header>
                <ID xmlns="urn:dslforum-org:cwmp-1-2">x</ID>
                <SupportedCWMPVersions xmlns="urn:dslforum-org:cwmp-1-2">1.0,1.1,1.2,1.3,1.4</SupportedCWMPVersions>
                <HoldRequests xmlns="urn:dslforum-org:cwmp-1-2">true</HoldRequests>
                <SessionTimeout xmlns="urn:dslforum-org:cwmp-1-2">60</SessionTimeout>
              </Header>
              <Body><GetRPCMethods xmlns="urn:dslforum-org:cwmp-1-2"/></Body>
            </Envelope>
            """);

        Assert.Equal(CwmpNamespaces.Cwmp12, envelope.CwmpNamespace);
        Assert.Equal("1.0,1.1,1.2,1.3,1.4", envelope.Header.SupportedCwmpVersions);
        Assert.True(envelope.Header.HoldRequests);
        Assert.Equal(60, envelope.Header.SessionTimeout);
        Assert.IsType<GetRpcMethods>(envelope.Body);
    }

    [Fact]
    public void A_cpe_fault_with_set_parameter_values_faults_is_read()
    {
        var envelope = Parse("""
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-1">
              <s:Header><c:ID s:mustUnderstand="1">7</c:ID></s:Header>
              <s:Body><s:Fault>
                <faultcode>s:Client</faultcode><faultstring>CWMP fault</faultstring>
                <detail><c:Fault>
                  <FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString>
                  <SetParameterValuesFault><ParameterName>Device.WiFi.SSID.1.SSID</ParameterName><FaultCode>9007</FaultCode><FaultString>Invalid value</FaultString></SetParameterValuesFault>
                  <SetParameterValuesFault><ParameterName>Device.X.Y</ParameterName><FaultCode>9005</FaultCode><FaultString>Invalid name</FaultString></SetParameterValuesFault>
                </c:Fault></detail>
              </s:Fault></s:Body>
            </s:Envelope>
            """);

        var fault = Assert.IsType<CwmpFault>(envelope.Body);
        Assert.Equal(CwmpNamespaces.Cwmp11, envelope.CwmpNamespace);
        Assert.Equal(9003u, fault.FaultCode);
        Assert.Equal("Client", fault.SoapFaultCode);
        Assert.Equal([("Device.WiFi.SSID.1.SSID", 9007u), ("Device.X.Y", 9005u)], fault.ParameterFaults.Select(p => (p.ParameterName, p.FaultCode)));
    }

    [Theory]
    [InlineData("<Envelope><Body><SetParameterValuesResponse><Status> 1 </Status></SetParameterValuesResponse></Body></Envelope>")]
    [InlineData("<Envelope>\n<Body>\n  <SetParameterValuesResponse>\n    <Status>1</Status>\n  </SetParameterValuesResponse>\n</Body>\n</Envelope>\n\n")]
    public void Whitespace_around_values_and_elements_is_tolerated(string xml)
    {
        var response = Assert.IsType<SetParameterValuesResponse>(Parse(xml).Body);
        Assert.Equal(1, response.Status);
    }

    [Fact]
    public void An_empty_body_reads_as_no_message()
    {
        Assert.Null(Parse("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>").Body);
    }

    [Theory]
    [InlineData("<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><Envelope><Body>&b;</Body></Envelope>")]
    [InlineData("<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Envelope><Body><Inform>&xxe;</Inform></Body></Envelope>")]
    [InlineData("<Envelope><Body><Inform><DeviceId>")]
    [InlineData("<Envelope><Body></Envelope>")]
    [InlineData("this is not xml")]
    [InlineData("")]
    [InlineData("<NotAnEnvelope/>")]
    [InlineData("<Envelope><Body><Hack/></Body></Envelope>")]
    [InlineData("<Envelope><Body><SetParameterValuesResponse><Status>many</Status></SetParameterValuesResponse></Body></Envelope>")]
    [InlineData("<Envelope><Body><Inform><DeviceId/></Inform></Body></Envelope>")]
    [InlineData("<Envelope/><Envelope/>")]
    public void Hostile_or_malformed_input_is_a_protocol_exception(string xml)
    {
        var ex = Assert.Throws<CwmpProtocolException>(() => Parse(xml));
        Assert.InRange((uint)ex.FaultCode, 8000u, 8004u);
    }

    [Fact]
    public void Too_deep_nesting_is_resources_exceeded_even_in_skipped_elements()
    {
        var deep = string.Concat(Enumerable.Repeat("<x>", 100)) + string.Concat(Enumerable.Repeat("</x>", 100));
        var ex = Assert.Throws<CwmpProtocolException>(() => Parse($"<Envelope><Header>{deep}</Header><Body/></Envelope>"));
        Assert.Equal(AcsFaultCode.ResourcesExceeded, ex.FaultCode);
    }

    [Fact]
    public void An_oversized_document_is_resources_exceeded()
    {
        var big = new string('a', 5000);
        var ex = Assert.Throws<CwmpProtocolException>(() =>
            Parse($"<Envelope><Body><Reboot><CommandKey>{big}</CommandKey></Reboot></Body></Envelope>", new CwmpReaderLimits { MaxCharacters = 4096 }));
        Assert.Equal(AcsFaultCode.ResourcesExceeded, ex.FaultCode);
    }

    [Fact]
    public void A_large_envelope_of_more_than_32_KiB_is_accepted()
    {
        var parameters = string.Concat(Enumerable.Range(0, 400).Select(i =>
            $"<ParameterValueStruct><Name>Device.X.{i}.Name</Name><Value xsi:type=\"xsd:string\">value-{i}-{new string('v', 60)}</Value></ParameterValueStruct>"));
        var xml = $"<Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><Body><GetParameterValuesResponse><ParameterList>{parameters}</ParameterList></GetParameterValuesResponse></Body></Envelope>";
        Assert.True(xml.Length > 32768);

        var response = Assert.IsType<GetParameterValuesResponse>(Parse(xml).Body);
        Assert.Equal(400, response.ParameterList.Count);
    }

    [Fact]
    public void Random_garbage_never_escapes_as_another_exception()
    {
        var random = new Random(42);
        var seed = Encoding.UTF8.GetBytes(FieldInform);
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])seed.Clone();
            for (var j = 0; j < 5; j++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            var length = random.Next(bytes.Length);
            try
            {
                CwmpReader.Read(bytes.AsMemory(0, length));
            }
            catch (CwmpProtocolException)
            {
            }
        }
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\uFEFF\n  ")]
    public void A_line_break_before_the_xml_declaration_is_tolerated(string before)
    {
        var envelope = Parse(before + FieldInform);

        Assert.Equal("SN0001", Assert.IsType<Inform>(envelope.Body).DeviceId.SerialNumber);
    }

    [Theory]
    [InlineData("<s:Envelope xmlns:s=\"x\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><s:Body><cwmp:Inform>", CwmpNamespaces.Cwmp12)]
    [InlineData("<Envelope><Body><Inform xmlns='urn:dslforum-org:cwmp-1-1'>", CwmpNamespaces.Cwmp11)]
    [InlineData("<s:Envelope xmlns:c=\"urn:dslforum-org:cwmp-1-25\">", null)]
    [InlineData("not XML", null)]
    public void The_namespace_a_refused_envelope_declares_is_found_in_its_bytes(string envelope, string? expected)
    {
        Assert.Equal(expected, CwmpNamespaces.Declared(Encoding.UTF8.GetBytes(envelope)));
    }
}

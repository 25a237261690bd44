using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Cwmp.Tests.Support;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.Soap;

/// <summary>
/// SOAP 1.1 strictness where it protects (issue 15.11): another SOAP version, a mandatory header the ACS does not
/// understand, a cwmp version it does not speak, characters XML forbids and broken HTTP framing each get a clear
/// refusal (400 with a fault where there is an envelope), never a 500 with a stack trace.
/// </summary>
public sealed class SoapStrictnessTests
{
    private static Dictionary<string, string?> Settings() => new() { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" };

    private static string Inform(string serial, string envelopeNs = "http://schemas.xmlsoap.org/soap/envelope/",
        string cwmpNs = "urn:dslforum-org:cwmp-1-2", string header = "") => $"""
        <soapenv:Envelope xmlns:soapenv="{envelopeNs}" xmlns:cwmp="{cwmpNs}">
          <soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">id-1</cwmp:ID>{header}</soapenv:Header>
          <soapenv:Body><cwmp:Inform>
            <DeviceId><Manufacturer>Acme</Manufacturer><OUI>A1B2C3</OUI><ProductClass>Box</ProductClass><SerialNumber>{serial}</SerialNumber></DeviceId>
            <Event><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey/></EventStruct></Event>
            <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T00:00:00Z</CurrentTime><RetryCount>0</RetryCount>
            <ParameterList/>
          </cwmp:Inform></soapenv:Body>
        </soapenv:Envelope>
        """;

    [Fact]
    public async Task An_envelope_of_another_soap_version_gets_a_version_mismatch_fault()
    {
        await using var h = await AcsHarness.StartAsync(Settings());

        var answer = await RawHttp.PostAsync(h.AcsUrl, Inform("SN-SOAP12", envelopeNs: "http://www.w3.org/2003/05/soap-envelope"));

        Assert.Equal(400, answer.Status);
        Assert.Contains("<faultcode>VersionMismatch</faultcode>", answer.Body);
        Assert.Empty(h.Orchestrator.Reports);
    }

    [Fact]
    public async Task An_unknown_header_that_must_be_understood_gets_a_must_understand_fault_and_one_that_need_not_is_ignored()
    {
        await using var h = await AcsHarness.StartAsync(Settings());

        var refused = await RawHttp.PostAsync(h.AcsUrl, Inform("SN-MU1",
            header: """<x:Billing xmlns:x="urn:example-vendor:ext" soapenv:mustUnderstand="1">7</x:Billing>"""));
        var ignored = await RawHttp.PostAsync(h.AcsUrl, Inform("SN-MU0",
            header: """<x:Billing xmlns:x="urn:example-vendor:ext" soapenv:mustUnderstand="0">7</x:Billing><cwmp:SessionTimeout soapenv:mustUnderstand="1">60</cwmp:SessionTimeout>"""));

        Assert.Equal(400, refused.Status);
        Assert.Contains("<faultcode>MustUnderstand</faultcode>", refused.Body);
        Assert.Equal(200, ignored.Status);
        Assert.Contains("InformResponse", ignored.Body);
    }

    [Fact]
    public async Task An_unknown_cwmp_namespace_is_refused_and_never_echoed_back()
    {
        await using var h = await AcsHarness.StartAsync(Settings());

        var answer = await RawHttp.PostAsync(h.AcsUrl, Inform("SN-CWMP19", cwmpNs: "urn:dslforum-org:cwmp-1-9"));

        Assert.Equal(400, answer.Status);
        Assert.DoesNotContain("cwmp-1-9", answer.Body);
        Assert.Contains("<FaultCode>8006</FaultCode>", answer.Body);
        Assert.Empty(h.Orchestrator.Reports);
    }

    [Fact]
    public async Task A_character_xml_forbids_gets_400_with_a_fault_and_no_stack_trace()
    {
        var logs = new CapturedLogs();
        await using var h = await AcsHarness.StartAsync(Settings(), configure: b => b.Logging.AddProvider(logs));

        var answer = await RawHttp.PostAsync(h.AcsUrl, Inform("SN-&#1;-CTRL"));

        Assert.Equal(400, answer.Status);
        Assert.Contains("<FaultCode>8003</FaultCode>", answer.Body);
        Assert.DoesNotContain("   at ", answer.Body);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_absurd_chunk_size_gets_400_and_no_stack_trace()
    {
        var logs = new CapturedLogs();
        await using var h = await AcsHarness.StartAsync(Settings(), configure: b => b.Logging.AddProvider(logs));

        // 2^80 bytes announced for the first chunk.
        var answer = await RawHttp.PostChunkedAsync(h.AcsUrl, "100000000000000000000\r\n<soapenv:Envelope/>\r\n0\r\n\r\n");

        Assert.True(answer.Status == 400, $"{answer}\n{string.Join("\n", logs.Lines)}");
        Assert.DoesNotContain(logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Envelopes_are_sent_without_an_xml_declaration()
    {
        await using var h = await AcsHarness.StartAsync(Settings());

        var answer = await RawHttp.PostAsync(h.AcsUrl, Inform("SN-NODECL"));

        Assert.Equal(200, answer.Status);
        Assert.StartsWith("<soap-env:Envelope", answer.Body);
        Assert.DoesNotContain("<?xml", answer.Body);
    }
}

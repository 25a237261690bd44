using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Cwmp.Tests.Support;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>
/// Device-reported text with control characters or beyond a bound is refused at the Inform, before a session, a
/// lookup or a contact report exists for it (issue 16.5), and never reaches a log raw (a serial with a newline would
/// forge a log line; a 100,000-character one would make every line naming it that long).
/// </summary>
public sealed class InformBoundsTests
{
    private static string Inform(string serial = "SN-BOUND", string oui = "A1B2C3", string eventCode = "2 PERIODIC", string url = "http://192.0.2.1:7547/cr") => $"""
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">
          <soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">id-1</cwmp:ID></soapenv:Header>
          <soapenv:Body><cwmp:Inform>
            <DeviceId><Manufacturer>Acme</Manufacturer><OUI>{oui}</OUI><ProductClass>Box</ProductClass><SerialNumber>{serial}</SerialNumber></DeviceId>
            <Event><EventStruct><EventCode>{eventCode}</EventCode><CommandKey/></EventStruct></Event>
            <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T00:00:00Z</CurrentTime><RetryCount>0</RetryCount>
            <ParameterList><ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name><Value>{url}</Value></ParameterValueStruct></ParameterList>
          </cwmp:Inform></soapenv:Body>
        </soapenv:Envelope>
        """;

    public static TheoryData<string, string> Refused => new()
    {
        { "a serial number with a newline that would forge a log line", Inform(serial: "SN-EVIL&#10;Information: admin logged in") },
        { "a serial number with a tab", Inform(serial: "SN-&#9;TAB") },
        { "a serial number of 100,000 characters", Inform(serial: new string('S', 100_000)) },
        { "a serial number of 65 characters", Inform(serial: new string('S', 65)) },
        { "an OUI with a C1 control (CSI, a terminal escape)", Inform(oui: "A1B2&#155;31m") },
        { "an event code of 300 characters", Inform(eventCode: "X A1B2C3 " + new string('E', 291)) },
        { "a ConnectionRequestURL of 2,000 characters", Inform(url: "http://192.0.2.1/" + new string('u', 1983)) },
        { "a ConnectionRequestURL with a carriage return", Inform(url: "http://192.0.2.1/cr&#13;Injected: 1") },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task An_inform_with_unfit_device_text_is_refused_before_a_session_exists(string what, string inform)
    {
        var logs = new CapturedLogs();
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" },
            configure: b => b.Logging.AddProvider(logs));

        var answer = await RawHttp.PostAsync(h.AcsUrl, inform);

        Assert.True(answer.Status == 400, $"{what}: {answer}");
        Assert.Contains("<FaultCode>8003</FaultCode>", answer.Body);
        Assert.DoesNotContain("Set-Cookie", answer.Headers, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(h.Orchestrator.Reports);
        Assert.Equal(0, h.Orchestrator.Lookups);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("admin logged in", StringComparison.Ordinal) || l.Contains("SSSSSSSSSS", StringComparison.Ordinal)
            || l.Contains('\u009b') || l.Contains("Injected", StringComparison.Ordinal));
        Assert.DoesNotContain("admin logged in", answer.Body);
    }

    [Fact]
    public async Task An_inform_within_the_bounds_opens_its_session()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });

        var answer = await RawHttp.PostAsync(h.AcsUrl, Inform(serial: new string('S', 64), url: "http://192.0.2.1/" + new string('u', 1000)));

        Assert.Equal(200, answer.Status);
        Assert.Contains("InformResponse", answer.Body);
    }
}

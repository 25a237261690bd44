using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Sessions;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>The ACS over raw HTTP: what a CPE with its own stack would send, byte for byte.</summary>
public sealed class HttpProtocolTests
{
    private static readonly string BasicBootstrap = "Basic " + Convert.ToBase64String("bootstrap:bootstrap"u8);

    /// <summary>These raw exchanges use Basic for brevity; on plain HTTP that needs the setting.</summary>
    private static Dictionary<string, string?> BasicOverHttp(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    private static string Inform(string serial, string ns = "urn:dslforum-org:cwmp-1-0", string extraHeader = "", string parameters = "") => $"""
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="{ns}">
          <soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">abc</cwmp:ID>{extraHeader}</soapenv:Header>
          <soapenv:Body><cwmp:Inform>
            <DeviceId><Manufacturer>Acme</Manufacturer><OUI>A1B2C3</OUI><ProductClass>Box</ProductClass><SerialNumber>{serial}</SerialNumber></DeviceId>
            <Event><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey/></EventStruct></Event>
            <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T00:00:00Z</CurrentTime><RetryCount>0</RetryCount>
            <ParameterList>{parameters}</ParameterList>
          </cwmp:Inform></soapenv:Body>
        </soapenv:Envelope>
        """;

    private static async Task<(int Status, string Headers, string Body)> RawPostAsync(Uri url, string body, string? cookie = null, string? authorization = null, string? host = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        await using var stream = tcp.GetStream();
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append($"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {host ?? url.Authority}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n");
        if (bytes.Length > 0) head.Append("Content-Type: text/xml; charset=utf-8\r\n");
        if (cookie is not null) head.Append($"Cookie: {cookie}\r\n");
        if (authorization is not null) head.Append($"Authorization: {authorization}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(bytes);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = response[..split];
        return (int.Parse(headers.Split(' ')[1]), headers, response[(split + 4)..]);
    }

    private static string CookieFrom(string headers) =>
        headers.Split("\r\n").Single(l => l.StartsWith("Set-Cookie:", StringComparison.OrdinalIgnoreCase))[11..].Split(';')[0].Trim();

    [Fact]
    public async Task A_session_continues_across_two_tcp_connections_by_its_cookie_when_the_cpe_authenticates_again()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-tcp" };

        var (status, headers, body) = await RawPostAsync(h.AcsUrl, Inform("SN-TCP"), authorization: BasicBootstrap);
        Assert.Equal(200, status);
        Assert.Contains("InformResponse", body);
        Assert.Contains("xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"", body); // answered in the CPE's namespace
        Assert.Contains(">abc</cwmp:ID>", body);                          // cwmp:ID echoed
        var cookie = CookieFrom(headers);

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-TCP") };
        verify.ParameterNames.Add("Device.DeviceInfo.UpTime");
        var pending = h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline()).ResponseAsync;

        // Connection 2: the empty POST with the cookie and the credentials again; the queued RPC comes back.
        (status, _, body) = await RawPostAsync(h.AcsUrl, "", cookie, BasicBootstrap);
        Assert.Equal(200, status);
        Assert.Contains("<cwmp:GetParameterValues>", body);
        var id = body.Split("mustUnderstand=\"1\">")[1].Split('<')[0];

        // Connection 3: the answer.
        (status, _, _) = await RawPostAsync(h.AcsUrl, $"""
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0">
              <s:Header><c:ID s:mustUnderstand="1">{id}</c:ID></s:Header>
              <s:Body><c:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>Device.DeviceInfo.UpTime</Name><Value>42</Value></ParameterValueStruct></ParameterList></c:GetParameterValuesResponse></s:Body>
            </s:Envelope>
            """, cookie, BasicBootstrap);
        var values = await pending;
        Assert.Equal("42", Assert.Single(values.Values).Value);
        Assert.Equal(204, status); // idle grace passed with nothing queued
    }

    [Fact]
    public async Task A_cpe_that_never_returns_the_cookie_continues_its_session_on_its_kept_alive_connection()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-nocookie" };
        using var connection = await KeptAliveConnection.OpenAsync(h.AcsUrl);

        var (status, _, body) = await connection.PostAsync(Inform("SN-NOCOOKIE"), BasicBootstrap);
        Assert.Equal(200, status);
        Assert.Contains("InformResponse", body);

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-NOCOOKIE"), WorkflowId = "wf-nocookie" };
        verify.ParameterNames.Add("Device.DeviceInfo.UpTime");
        var pending = h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline()).ResponseAsync;

        // Another connection without a cookie is not that session: it must authenticate.
        Assert.Equal(401, (await RawPostAsync(h.AcsUrl, "")).Status);

        // The empty POST on the same connection, no cookie, no credentials: the queued RPC comes back.
        (status, _, body) = await connection.PostAsync("");
        Assert.Equal(200, status);
        Assert.Contains("<cwmp:GetParameterValues>", body);
        var id = body.Split("mustUnderstand=\"1\">")[1].Split('<')[0];

        (status, _, _) = await connection.PostAsync($"""
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0">
              <s:Header><c:ID s:mustUnderstand="1">{id}</c:ID></s:Header>
              <s:Body><c:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>Device.DeviceInfo.UpTime</Name><Value>7</Value></ParameterValueStruct></ParameterList></c:GetParameterValuesResponse></s:Body>
            </s:Envelope>
            """);
        Assert.Equal("7", Assert.Single((await pending).Values).Value);
        Assert.Equal(204, status);
    }

    [Fact]
    public async Task An_inform_on_a_connection_shared_through_a_proxy_starts_its_own_authenticated_session()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        using var upstream = await KeptAliveConnection.OpenAsync(h.AcsUrl);
        Assert.Equal(200, (await upstream.PostAsync(Inform("SN-PROXY-A"), BasicBootstrap)).Status);

        // Another CPE's Inform on the same upstream connection, no cookie, no credentials: challenged, not let in.
        var (status, headers, _) = await upstream.PostAsync(Inform("SN-PROXY-B"));
        Assert.Equal(401, status);
        Assert.Contains("WWW-Authenticate: Digest", headers);

        (status, headers, _) = await upstream.PostAsync(Inform("SN-PROXY-B"), BasicBootstrap);
        Assert.Equal(200, status);
        var sessions = h.Adapter.Services.GetRequiredService<CpeSessionRegistry>();
        Assert.NotNull(sessions.FindByDevice("SN-PROXY-A"));
        Assert.Equal(CookieFrom(headers).Split('=')[1], sessions.FindByDevice("SN-PROXY-B")!.Id);
    }

    [Fact]
    public async Task Use_cwmp_version_is_answered_when_the_cpe_lists_its_versions()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        var (_, _, body) = await RawPostAsync(h.AcsUrl,
            Inform("SN-V14", "urn:dslforum-org:cwmp-1-2", "<cwmp:SupportedCWMPVersions>1.0,1.1,1.2,1.3,1.4</cwmp:SupportedCWMPVersions>"), authorization: BasicBootstrap);
        Assert.Contains("<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">1.4</cwmp:UseCWMPVersion>", body);
        Assert.Contains("<MaxEnvelopes>1</MaxEnvelopes>", body);
    }

    [Theory]
    [InlineData("this is not xml at all", 400)]
    [InlineData("<!DOCTYPE lol [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><Envelope><Body>&b;</Body></Envelope>", 400)]
    [InlineData("<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Envelope><Body><Inform>&xxe;</Inform></Body></Envelope>", 400)]
    [InlineData("<Envelope><Body><Inform><DeviceId>", 400)]
    public async Task Malformed_and_hostile_bodies_get_400_with_an_acs_fault(string body, int expected)
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        var (status, _, response) = await RawPostAsync(h.AcsUrl, body, authorization: BasicBootstrap);
        Assert.Equal(expected, status);
        Assert.Contains("<FaultCode>800", response);
        Assert.DoesNotContain("root:", response);

        // The ACS is still fine afterwards.
        (status, _, _) = await RawPostAsync(h.AcsUrl, Inform("SN-AFTER"), authorization: BasicBootstrap);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task An_oversized_body_gets_413_and_a_large_valid_one_is_accepted()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp(("Cwmp:MaxEnvelopeBytes", "65536")));
        var parameters = string.Concat(Enumerable.Range(0, 300).Select(i => $"<ParameterValueStruct><Name>Device.X.{i}</Name><Value>{new string('v', 100)}</Value></ParameterValueStruct>"));
        var large = Inform("SN-LARGE", parameters: parameters);
        Assert.InRange(Encoding.UTF8.GetByteCount(large), 32769, 65536);

        var (status, _, _) = await RawPostAsync(h.AcsUrl, large, authorization: BasicBootstrap);
        Assert.Equal(200, status);

        (status, _, _) = await RawPostAsync(h.AcsUrl, Inform("SN-HUGE", parameters: parameters + parameters), authorization: BasicBootstrap);
        Assert.Equal(413, status);
    }

    [Fact]
    public async Task A_second_inform_of_the_same_device_supersedes_its_open_session()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-dup" };
        var (_, headers1, _) = await RawPostAsync(h.AcsUrl, Inform("SN-DUP"), authorization: BasicBootstrap);
        var (_, headers2, _) = await RawPostAsync(h.AcsUrl, Inform("SN-DUP"), authorization: BasicBootstrap);
        var sessions = h.Adapter.Services.GetRequiredService<CpeSessionRegistry>();
        Assert.Equal(1, sessions.Count);
        Assert.Equal(CookieFrom(headers2).Split('=')[1], sessions.FindByDevice("SN-DUP")!.Id);

        // The old cookie no longer names a session: its empty POST ends at once.
        var started = DateTime.UtcNow;
        var (status, _, _) = await RawPostAsync(h.AcsUrl, "", CookieFrom(headers1), BasicBootstrap);
        Assert.Equal(204, status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task An_idle_session_times_out()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp(("Cwmp:SessionTimeout", "00:00:00.500")));
        await RawPostAsync(h.AcsUrl, Inform("SN-TIMEOUT"), authorization: BasicBootstrap);
        var sessions = h.Adapter.Services.GetRequiredService<CpeSessionRegistry>();
        Assert.NotNull(sessions.FindByDevice("SN-TIMEOUT"));
        await Task.Delay(1500);
        Assert.Null(sessions.FindByDevice("SN-TIMEOUT"));
    }

    [Fact]
    public async Task A_cpe_request_in_a_session_is_answered_and_unknown_methods_get_8000()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        var (_, headers, _) = await RawPostAsync(h.AcsUrl, Inform("SN-TC"), authorization: BasicBootstrap);
        var cookie = CookieFrom(headers);
        var (status, _, body) = await RawPostAsync(h.AcsUrl, """
            <Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Header><ID xmlns="urn:dslforum-org:cwmp-1-0">t1</ID></Header>
            <Body><TransferComplete xmlns="urn:dslforum-org:cwmp-1-0"><CommandKey>fw</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString/></FaultStruct>
            <StartTime>2026-01-01T00:00:00Z</StartTime><CompleteTime>2026-01-01T00:00:01Z</CompleteTime></TransferComplete></Body></Envelope>
            """, cookie, BasicBootstrap);
        Assert.Equal(200, status);
        Assert.Contains("<cwmp:TransferCompleteResponse", body);

        (status, _, body) = await RawPostAsync(h.AcsUrl, """
            <Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Kick xmlns="urn:dslforum-org:cwmp-1-0"/></Body></Envelope>
            """, cookie, BasicBootstrap);
        Assert.Equal(400, status);
        Assert.Contains("<FaultCode>8000</FaultCode>", body);
        Assert.Equal(HttpStatusCode.NoContent, (HttpStatusCode)(await RawPostAsync(h.AcsUrl, "", cookie, BasicBootstrap)).Status);
    }

    [Fact]
    public async Task A_cpe_behind_a_port_forward_with_another_host_header_is_served()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp());
        var (status, _, body) = await RawPostAsync(h.AcsUrl, Inform("SN-NAT"), authorization: BasicBootstrap, host: "acs.example.net");
        Assert.Equal(200, status);
        Assert.Contains("InformResponse", body);
    }
}

using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Provisioning.Southbound.Cwmp.Authentication;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>One HTTP exchange as a CPE's own stack (or an attacker) sends it, byte for byte.</summary>
public sealed record RawResponse(int Status, string Headers, string Body)
{
    public string? Cookie => Headers.Split("\r\n").FirstOrDefault(l => l.StartsWith("Set-Cookie:", StringComparison.OrdinalIgnoreCase))?[11..].Split(';')[0].Trim();

    /// <summary>The Digest challenge's parameters (401 only).</summary>
    public Dictionary<string, string> DigestChallenge =>
        DigestHeader.ParseParameters(Headers.Split("\r\n").First(l => l.StartsWith("WWW-Authenticate: Digest ", StringComparison.OrdinalIgnoreCase)).AsSpan(25));

    public IEnumerable<string> Challenges => Headers.Split("\r\n")
        .Where(l => l.StartsWith("WWW-Authenticate:", StringComparison.OrdinalIgnoreCase)).Select(l => l[17..].Trim());
}

/// <summary>Raw CPE requests: Informs, Digest answers with a chosen nonce count, and kept-alive connections.</summary>
public static class RawCpe
{
    public static string Inform(string serial, params string[] events) => $"""
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
          <soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">raw-1</cwmp:ID></soapenv:Header>
          <soapenv:Body><cwmp:Inform>
            <DeviceId><Manufacturer>Acme</Manufacturer><OUI>00D09E</OUI><ProductClass>SimGateway</ProductClass><SerialNumber>{serial}</SerialNumber></DeviceId>
            <Event>{string.Concat((events.Length == 0 ? ["2 PERIODIC"] : events).Select(e => $"<EventStruct><EventCode>{e}</EventCode><CommandKey/></EventStruct>"))}</Event>
            <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T00:00:00Z</CurrentTime><RetryCount>0</RetryCount>
            <ParameterList/>
          </cwmp:Inform></soapenv:Body>
        </soapenv:Envelope>
        """;

    /// <summary>The Authorization header answering <paramref name="challenge"/> with nonce count <paramref name="nc"/> (qop=auth; the RFC 2069 form when <paramref name="rfc2069"/>).</summary>
    public static string Digest(IReadOnlyDictionary<string, string> challenge, string user, string password, int nc, string uri = "/acs", bool rfc2069 = false)
    {
        var realm = challenge["realm"];
        var nonce = challenge["nonce"];
        var ha1 = DigestHeader.Ha1(user, realm, password);
        var count = nc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var cnonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var response = DigestHeader.Response(ha1, "POST", uri, nonce, rfc2069 ? null : "auth", count, cnonce);
        var header = $"Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5, response=\"{response}\"";
        return rfc2069 ? header : header + $", qop=auth, nc={count}, cnonce=\"{cnonce}\"";
    }

    public static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>One request on its own TCP connection (Connection: close).</summary>
    public static async Task<RawResponse> PostAsync(Uri url, string body, string? cookie = null, string? authorization = null)
    {
        using var connection = await KeptAliveConnection.OpenAsync(url);
        return await connection.PostAsync(body, authorization, cookie, close: true);
    }
}

/// <summary>One TCP connection kept alive across requests.</summary>
public sealed class KeptAliveConnection : IDisposable
{
    private readonly TcpClient tcp;
    private readonly NetworkStream stream;
    private readonly Uri url;

    private KeptAliveConnection(TcpClient tcp, Uri url)
    {
        this.tcp = tcp;
        this.url = url;
        stream = tcp.GetStream();
    }

    public static async Task<KeptAliveConnection> OpenAsync(Uri url)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        return new KeptAliveConnection(tcp, url);
    }

    public async Task<RawResponse> PostAsync(string body, string? authorization = null, string? cookie = null, bool close = false)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Length: {bytes.Length}\r\n");
        if (close) head.Append("Connection: close\r\n");
        if (bytes.Length > 0) head.Append("Content-Type: text/xml; charset=utf-8\r\n");
        if (authorization is not null) head.Append($"Authorization: {authorization}\r\n");
        if (cookie is not null) head.Append($"Cookie: {cookie}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(bytes);

        var received = new List<byte>();
        var one = new byte[1];
        while (received.Count < 4 || !(received[^4] == '\r' && received[^3] == '\n' && received[^2] == '\r' && received[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("connection closed by the ACS");
            received.Add(one[0]);
        }
        var headers = Encoding.ASCII.GetString([.. received]);
        var lengthLine = headers.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var content = new byte[lengthLine is null ? 0 : int.Parse(lengthLine[15..].Trim())];
        await stream.ReadExactlyAsync(content);
        return new RawResponse(int.Parse(headers.Split(' ')[1]), headers, Encoding.UTF8.GetString(content));
    }

    public void Dispose()
    {
        stream.Dispose();
        tcp.Dispose();
    }
}

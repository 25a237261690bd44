using System.Net.Sockets;
using System.Text;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>One HTTP/1.1 request written byte for byte (what a CPE's own stack may send), and its whole answer.</summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Headers, string Body);

    public static Task<Answer> PostAsync(Uri url, string body, string? authorization = "Basic Ym9vdHN0cmFwOmJvb3RzdHJhcA==") =>
        SendAsync(url, Encoding.UTF8.GetBytes(body), authorization, chunked: null);

    /// <summary>A chunked POST whose body is given as it goes on the wire (chunk sizes and all).</summary>
    public static Task<Answer> PostChunkedAsync(Uri url, string wireBody, string? authorization = "Basic Ym9vdHN0cmFwOmJvb3RzdHJhcA==") =>
        SendAsync(url, Encoding.ASCII.GetBytes(wireBody), authorization, chunked: true);

    private static async Task<Answer> SendAsync(Uri url, byte[] body, string? authorization, bool? chunked)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        await using var stream = tcp.GetStream();
        var head = new StringBuilder($"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nConnection: close\r\nContent-Type: text/xml; charset=utf-8\r\n");
        head.Append(chunked == true ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n");
        if (authorization is not null) head.Append($"Authorization: {authorization}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = split < 0 ? response : response[..split];
        return new Answer(int.Parse(headers.Split(' ')[1]), headers, split < 0 ? "" : response[(split + 4)..]);
    }
}

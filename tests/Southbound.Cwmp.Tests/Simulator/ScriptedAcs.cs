using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;

namespace Provisioning.Southbound.Cwmp.Tests.Simulator;

/// <summary>What the scripted ACS saw of one Inform or TransferComplete.</summary>
public sealed record SeenInform(IReadOnlyList<(string Code, string CommandKey)> Events, IReadOnlyDictionary<string, string> Parameters);

public sealed record SeenTransferComplete(string CommandKey, uint FaultCode, string FaultString, string StartTime, string CompleteTime);

/// <summary>
/// A few lines of ACS on HttpListener, not the real one: answers Inform and TransferComplete, hands out the queued
/// RPCs one per empty POST, and serves files under /fw/ (some behind Basic auth). Enough to watch a simulated CPE's
/// side of a Download, Reboot or FactoryReset without the orchestrator.
/// </summary>
public sealed class ScriptedAcs : IAsyncDisposable
{
    private const string Ns = "urn:dslforum-org:cwmp-1-2";
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<string> rpcs = new();
    private readonly Task loop;

    public ScriptedAcs()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(BaseUrl + "/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }
    public Uri AcsUrl => new(BaseUrl + "/acs");
    public ConcurrentQueue<SeenInform> Informs { get; } = new();
    public ConcurrentQueue<SeenTransferComplete> TransferCompletes { get; } = new();
    /// <summary>Path under /fw/ -> bytes; those in <see cref="Protected"/> need Basic with that user:password.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();
    public ConcurrentDictionary<string, string> Protected { get; } = new();

    /// <summary>Queues an RPC (the method element's inner XML) for the next empty POST.</summary>
    public void Send(string method, string children) =>
        rpcs.Enqueue($"<cwmp:{method}>{children}</cwmp:{method}>");

    public static string Download(string commandKey, string url, long fileSize = 0, string username = "", string password = "", string targetFileName = "") =>
        $"<CommandKey>{commandKey}</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>{url}</URL>"
        + $"<Username>{username}</Username><Password>{password}</Password><FileSize>{fileSize}</FileSize>"
        + $"<TargetFileName>{targetFileName}</TargetFileName><DelaySeconds>0</DelaySeconds><SuccessURL></SuccessURL><FailureURL></FailureURL>";

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                if (context.Request.Url!.AbsolutePath.StartsWith("/fw/", StringComparison.Ordinal)) ServeFile(context);
                else await AnswerCpeAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or System.Xml.XmlException)
            {
                context.Response.StatusCode = 500;
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private void ServeFile(HttpListenerContext context)
    {
        var name = context.Request.Url!.AbsolutePath["/fw/".Length..];
        if (Protected.TryGetValue(name, out var credential))
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credential));
            if (context.Request.Headers["Authorization"] != expected)
            {
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"firmware\"");
                return;
            }
        }
        if (!Files.TryGetValue(name, out var bytes))
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.OutputStream.Write(bytes);
    }

    private async Task AnswerCpeAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        var text = await reader.ReadToEndAsync();
        if (text.Length == 0)
        {
            if (rpcs.TryDequeue(out var rpc)) await WriteAsync(context, rpc);
            else context.Response.StatusCode = 204;
            return;
        }
        var envelope = XDocument.Parse(text).Root!;
        var body = envelope.Elements().First(e => e.Name.LocalName == "Body").Elements().First();
        // A response to the CPE's request echoes its cwmp:ID (A.2.1.1).
        var cpeId = envelope.Elements().FirstOrDefault(e => e.Name.LocalName == "Header")?.Elements().FirstOrDefault(e => e.Name.LocalName == "ID")?.Value;
        string Field(XElement e, string name) => e.Descendants().FirstOrDefault(d => d.Name.LocalName == name)?.Value ?? "";
        switch (body.Name.LocalName)
        {
            case "Inform":
                Informs.Enqueue(new SeenInform(
                    body.Descendants().Where(e => e.Name.LocalName == "EventStruct").Select(e => (Field(e, "EventCode"), Field(e, "CommandKey"))).ToList(),
                    body.Descendants().Where(e => e.Name.LocalName == "ParameterValueStruct").ToDictionary(e => Field(e, "Name"), e => Field(e, "Value"))));
                await WriteAsync(context, "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>", cpeId);
                break;
            case "TransferComplete":
                TransferCompletes.Enqueue(new SeenTransferComplete(Field(body, "CommandKey"), uint.Parse(Field(body, "FaultCode"), System.Globalization.CultureInfo.InvariantCulture),
                    Field(body, "FaultString"), Field(body, "StartTime"), Field(body, "CompleteTime")));
                await WriteAsync(context, "<cwmp:TransferCompleteResponse/>", cpeId);
                break;
            default:
                // A response to our RPC: the next RPC if one is queued, else the session ends.
                if (rpcs.TryDequeue(out var next)) await WriteAsync(context, next);
                else context.Response.StatusCode = 204;
                break;
        }
    }

    private int acsIds;

    private async Task WriteAsync(HttpListenerContext context, string method, string? id = null)
    {
        id ??= "acs-" + Interlocked.Increment(ref acsIds);
        var envelope = "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"" + Ns + "\">"
            + "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">" + System.Security.SecurityElement.Escape(id) + "</cwmp:ID></soap-env:Header>"
            + "<soap-env:Body>" + method + "</soap-env:Body></soap-env:Envelope>";
        var bytes = Encoding.UTF8.GetBytes(envelope);
        context.Response.ContentType = "text/xml; charset=utf-8";
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try { await loop; } catch (ObjectDisposedException) { }
    }
}

using System.Net.WebSockets;
using Google.Protobuf;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Usp.Messages;
using Record = Provisioning.Usp.Records.Record;
using NoSessionContextRecord = Provisioning.Usp.Records.NoSessionContextRecord;

namespace Provisioning.Southbound.Usp.Tests.WebSocket;

/// <summary>
/// An agent written the minimal way, not by this project's simulator: it names itself only in the
/// bbf-usp-protocol extension header, announces nothing after connecting, has no subscription table (a Get that
/// names it is answered with a message-level Error) and refuses every Add. It must still be onboarded.
/// </summary>
public sealed class MinimalAgentTests : IAsyncLifetime
{
    private const string EndpointId = "os::00D09E-MINI0001";
    private UspTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await UspTestHost.StartAsync(new Dictionary<string, string?> { ["Usp:SilentAgentContactDelay"] = "00:00:00.300" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_silent_agent_named_in_the_extension_header_that_refuses_subscriptions_is_reported_with_its_identity()
    {
        _host.Orchestrator.Registered[EndpointId] = true;
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v1.usp");
        socket.Options.SetRequestHeader("Sec-WebSocket-Extensions", $"bbf-usp-protocol; eid=\"{EndpointId}\"");
        await socket.ConnectAsync(_host.WebSocketUrl, CancellationToken.None);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var requests = new List<Request.ReqTypeOneofCase>();
        var answering = AnswerAsync(socket, requests, stop.Token);

        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(EndpointId).Count > 0, "the silent agent's contact reported");
        var report = _host.Orchestrator.ReportsOf(EndpointId)[0];
        Assert.Equal(["websocket_connect"], report.EventCodes);
        Assert.Equal("MINI0001", report.Identity.Device.SerialNumber);
        Assert.Equal("00D09E", report.Identity.Device.Oui);
        Assert.Equal("MiniBox", report.Identity.Device.ProductClass);
        lock (requests) Assert.Equal([Request.ReqTypeOneofCase.Get, Request.ReqTypeOneofCase.Get, Request.ReqTypeOneofCase.Add], requests);

        await stop.CancelAsync();
        await answering;
    }

    private static async Task AnswerAsync(ClientWebSocket socket, List<Request.ReqTypeOneofCase> requests, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close) return;
                var record = Record.Parser.ParseFrom(buffer, 0, received.Count);
                var msg = Msg.Parser.ParseFrom(record.NoSessionContext.Payload);
                var request = msg.Body.Request;
                lock (requests) requests.Add(request.ReqTypeCase);
                var answer = new Msg { Header = new Header { MsgId = msg.Header.MsgId }, Body = new Body() };
                if (request.ReqTypeCase == Request.ReqTypeOneofCase.Get && request.Get.ParamPaths.All(p => p.StartsWith("Device.DeviceInfo.", StringComparison.Ordinal)))
                {
                    answer.Header.MsgType = Header.Types.MsgType.GetResp;
                    var resolved = new GetResp.Types.ResolvedPathResult { ResolvedPath = "Device.DeviceInfo." };
                    resolved.ResultParams.Add(new Dictionary<string, string>
                    {
                        ["SerialNumber"] = "MINI0001", ["ManufacturerOUI"] = "00D09E", ["ProductClass"] = "MiniBox",
                        ["Manufacturer"] = "Minimal", ["ModelName"] = "M1", ["SoftwareVersion"] = "0.1",
                    });
                    var result = new GetResp.Types.RequestedPathResult { RequestedPath = "Device.DeviceInfo." };
                    result.ResolvedPathResults.Add(resolved);
                    answer.Body.Response = new Response { GetResp = new GetResp { ReqPathResults = { result } } };
                }
                else
                {
                    // No subscription table, nothing creatable: a message-level Error, as minimal agents answer.
                    answer.Header.MsgType = Header.Types.MsgType.Error;
                    answer.Body.Error = new Error { ErrCode = request.ReqTypeCase == Request.ReqTypeOneofCase.Add ? 7019u : 7026u, ErrMsg = "not supported here" };
                }
                var reply = new Record
                {
                    Version = "1.3",
                    ToId = record.FromId,
                    FromId = EndpointId,
                    NoSessionContext = new NoSessionContextRecord { Payload = answer.ToByteString() },
                };
                await socket.SendAsync(reply.ToByteArray(), WebSocketMessageType.Binary, true, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

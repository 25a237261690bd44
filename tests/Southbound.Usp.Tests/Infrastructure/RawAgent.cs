using System.Net.WebSockets;
using Google.Protobuf;
using Provisioning.Usp.Messages;
using NoSessionContextRecord = Provisioning.Usp.Records.NoSessionContextRecord;
using Record = Provisioning.Usp.Records.Record;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>
/// An agent reduced to a WebSocket and a function from request to answer, for agents that behave like nothing this
/// project's simulator does (minimal, or hostile). Records every request type it received.
/// </summary>
internal sealed class RawAgent : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Request.ReqTypeOneofCase> _requests = [];
    private Task _answering = Task.CompletedTask;

    private RawAgent(string endpointId) => EndpointId = endpointId;

    public string EndpointId { get; }

    public IReadOnlyList<Request.ReqTypeOneofCase> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    /// <summary>Connects (the eid in the query, or only in the bbf-usp-protocol extension header) and answers with <paramref name="answer"/>.</summary>
    public static async Task<RawAgent> ConnectAsync(Uri controller, string endpointId, Func<Request, Msg> answer, bool eidInHeaderOnly = false)
    {
        var agent = new RawAgent(endpointId);
        agent._socket.Options.AddSubProtocol("v1.usp");
        if (eidInHeaderOnly) agent._socket.Options.SetRequestHeader("Sec-WebSocket-Extensions", $"bbf-usp-protocol; eid=\"{endpointId}\"");
        var url = eidInHeaderOnly ? controller : new Uri(controller + "?eid=" + Uri.EscapeDataString(endpointId));
        await agent._socket.ConnectAsync(url, CancellationToken.None);
        agent._answering = agent.AnswerAsync(answer);
        return agent;
    }

    public static bool AsksOnlyForDeviceInfo(Request request) =>
        request.ReqTypeCase == Request.ReqTypeOneofCase.Get && request.Get.ParamPaths.All(p => p.StartsWith("Device.DeviceInfo.", StringComparison.Ordinal));

    /// <summary>A GetResp with the agent's identity under Device.DeviceInfo.</summary>
    public static Msg DeviceInfo(string serial, string productClass)
    {
        var resolved = new GetResp.Types.ResolvedPathResult { ResolvedPath = "Device.DeviceInfo." };
        resolved.ResultParams.Add(new Dictionary<string, string>
        {
            ["SerialNumber"] = serial, ["ManufacturerOUI"] = "00D09E", ["ProductClass"] = productClass,
            ["Manufacturer"] = "Raw", ["ModelName"] = "R1", ["SoftwareVersion"] = "0.1",
        });
        var result = new GetResp.Types.RequestedPathResult { RequestedPath = "Device.DeviceInfo." };
        result.ResolvedPathResults.Add(resolved);
        return new Msg
        {
            Header = new Header { MsgType = Header.Types.MsgType.GetResp },
            Body = new Body { Response = new Response { GetResp = new GetResp { ReqPathResults = { result } } } },
        };
    }

    public static bool AsksForControllerTable(Request request) =>
        request.ReqTypeCase == Request.ReqTypeOneofCase.Get && request.Get.ParamPaths.SequenceEqual(["Device.LocalAgent.Controller."]);

    /// <summary>A GetResp of Device.LocalAgent.Controller. with one entry, the controller's (where a plan's periodic interval goes).</summary>
    public static Msg ControllerTable(string controllerId)
    {
        var resolved = new GetResp.Types.ResolvedPathResult { ResolvedPath = "Device.LocalAgent.Controller.1." };
        resolved.ResultParams.Add("EndpointID", controllerId);
        var result = new GetResp.Types.RequestedPathResult { RequestedPath = "Device.LocalAgent.Controller." };
        result.ResolvedPathResults.Add(resolved);
        return new Msg
        {
            Header = new Header { MsgType = Header.Types.MsgType.GetResp },
            Body = new Body { Response = new Response { GetResp = new GetResp { ReqPathResults = { result } } } },
        };
    }

    public static Msg Error(uint code, string text) => new()
    {
        Header = new Header { MsgType = Header.Types.MsgType.Error },
        Body = new Body { Error = new Error { ErrCode = code, ErrMsg = text } },
    };

    private async Task AnswerAsync(Func<Request, Msg> answer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close) return;
                var record = Record.Parser.ParseFrom(buffer, 0, received.Count);
                var msg = Msg.Parser.ParseFrom(record.NoSessionContext.Payload);
                var request = msg.Body.Request;
                lock (_requests) _requests.Add(request.ReqTypeCase);
                var reply = answer(request);
                reply.Header.MsgId = msg.Header.MsgId;
                var wire = new Record
                {
                    Version = "1.3",
                    ToId = record.FromId,
                    FromId = EndpointId,
                    NoSessionContext = new NoSessionContextRecord { Payload = reply.ToByteString() },
                };
                await _socket.SendAsync(wire.ToByteArray(), WebSocketMessageType.Binary, true, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _answering;
        _socket.Dispose();
        _stop.Dispose();
    }
}

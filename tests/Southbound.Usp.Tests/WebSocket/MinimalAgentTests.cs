using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Tests.WebSocket;

/// <summary>
/// Agents written the minimal (or a hostile) way, not by this project's simulator: named only in the bbf-usp-protocol
/// extension header, silent after connecting, without a subscription table, refusing Adds, or answering nonsense.
/// </summary>
public sealed class MinimalAgentTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await UspTestHost.StartAsync(new Dictionary<string, string?> { ["Usp:SilentAgentContactDelay"] = "00:00:00.300" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_silent_agent_named_in_the_extension_header_that_refuses_subscriptions_is_reported_with_its_identity()
    {
        const string endpointId = "os::00D09E-MINI0001";
        _host.Orchestrator.Registered[endpointId] = true;
        // No subscription table, nothing creatable: message-level Errors, as minimal agents answer.
        await using var agent = await RawAgent.ConnectAsync(_host.WebSocketUrl, endpointId, request =>
            RawAgent.AsksOnlyForDeviceInfo(request) ? RawAgent.DeviceInfo("MINI0001", "MiniBox")
            : RawAgent.Error(request.ReqTypeCase == Request.ReqTypeOneofCase.Add ? 7019u : 7026u, "not supported here"), eidInHeaderOnly: true);

        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(endpointId).Count > 0, "the silent agent's contact reported");
        var report = _host.Orchestrator.ReportsOf(endpointId)[0];
        Assert.Equal(["websocket_connect"], report.EventCodes);
        Assert.Equal("MINI0001", report.Identity.Device.SerialNumber);
        Assert.Equal("00D09E", report.Identity.Device.Oui);
        Assert.Equal("MiniBox", report.Identity.Device.ProductClass);
        // The combined Get, Device.DeviceInfo. alone, then an Add of each subscription (Boot!, Periodic!), each refused.
        Assert.Equal([Request.ReqTypeOneofCase.Get, Request.ReqTypeOneofCase.Get, Request.ReqTypeOneofCase.Add, Request.ReqTypeOneofCase.Add], agent.Requests);
    }

    [Fact]
    public async Task An_add_answered_with_something_that_is_not_an_instance_of_the_table_fails_the_push_as_a_protocol_error()
    {
        const string endpointId = "os::00D09E-EVIL0001";
        _host.Orchestrator.Registered[endpointId] = true;
        await using var agent = await RawAgent.ConnectAsync(_host.WebSocketUrl, endpointId, request => request.ReqTypeCase switch
        {
            _ when RawAgent.AsksOnlyForDeviceInfo(request) => RawAgent.DeviceInfo("EVIL0001", "MiniBox"),
            Request.ReqTypeOneofCase.Set => new Msg
            {
                Header = new Header { MsgType = Header.Types.MsgType.Error },
                Body = new Body { Error = new Error { ErrCode = 7016, ErrMsg = "no such object", ParamErrs = { new Error.Types.ParamError { ParamPath = "Device.WiFi.SSID.5.", ErrCode = 7016 } } } },
            },
            Request.ReqTypeOneofCase.Get => RawAgent.Error(7026, "invalid path"),
            Request.ReqTypeOneofCase.Add => new Msg
            {
                Header = new Header { MsgType = Header.Types.MsgType.AddResp },
                Body = new Body { Response = new Response { AddResp = new AddResp { CreatedObjResults = { new AddResp.Types.CreatedObjectResult
                {
                    RequestedPath = request.Add.CreateObjs[0].ObjPath,
                    OperStatus = new() { OperSuccess = new() { InstantiatedPath = "Device.ManagementServer.\u0000" } },
                } } } } },
            },
            _ => RawAgent.Error(7001, "not supported"),
        });
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(endpointId).Count > 0, "contact reported");

        var push = new PushConfigRequest { Device = new DeviceRef { EndpointId = endpointId, Protocol = DeviceProtocol.Usp }, WorkflowId = "wf-evil" };
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.5.SSID", Value = "x" });
        var pushed = await _host.Adapter.PushConfigAsync(push, deadline: DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(FailureKind.ProtocolError, pushed.Failure.Kind);
        Assert.Contains("not an instance of Device.WiFi.SSID.", pushed.Failure.FaultString);
        Assert.Empty(pushed.CreatedInstances);
    }
}

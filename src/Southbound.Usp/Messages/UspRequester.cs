using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Southbound.Usp.Telemetry;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages;

/// <summary>
/// Sends USP requests to connected agents and waits for the response with the same msg_id, bounded by
/// the request timeout and the caller's token. One span per request (usp.Get, usp.Set, ...), a child of
/// whatever is current (the gRPC call's span).
/// </summary>
internal sealed class UspRequester(AgentRegistry registry, IOptions<UspOptions> options, ILogger<UspRequester> logger)
{
    private readonly UspOptions _options = options.Value;
    private long _nextId = Random.Shared.NextInt64(1, 1L << 40);

    public string ControllerId => _options.EndpointId;

    public string NextMsgId() => "c-" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends a request and returns the agent's response body; a USP Error becomes a <see cref="UspErrorException"/>.</summary>
    public Task<Response> SendAsync(string endpointId, Header.Types.MsgType type, Request request, CancellationToken cancellationToken)
    {
        var session = registry.Find(endpointId) ?? throw new AgentNotConnectedException(endpointId);
        return SendAsync(session, type, request, cancellationToken);
    }

    public async Task<Response> SendAsync(AgentSession session, Header.Types.MsgType type, Request request, CancellationToken cancellationToken)
    {
        var typeName = MsgTypeNames.Of(type);
        var msgId = NextMsgId();
        using var activity = UspTelemetry.Source.StartActivity("usp." + typeName, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(UspTelemetry.AttrEndpointId, session.EndpointId);
            activity.SetTag(UspTelemetry.AttrMsgId, msgId);
            activity.SetTag(UspTelemetry.AttrMtp, session.Mtp);
        }
        try
        {
            var response = await ExchangeAsync(session, type, typeName, msgId, request, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (UspRequestException ex)
        {
            if (ex.Code != 0) activity?.SetTag(UspTelemetry.AttrErrorCode, (long)ex.Code);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            UspLog.RequestFailed(logger, session.EndpointId, typeName, msgId, ex.Message);
            throw;
        }
    }

    private async Task<Response> ExchangeAsync(AgentSession session, Header.Types.MsgType type, string typeName, string msgId, Request request, CancellationToken cancellationToken)
    {
        if (session.IsClosed) throw new AgentNotConnectedException(session.EndpointId);
        if (!session.TryBeginRequest(_options.MaxInFlightPerAgent)) throw new UspBusyException(session.EndpointId);
        try
        {
            var completion = session.Register(msgId);
            var msg = new Msg
            {
                Header = new Header { MsgId = msgId, MsgType = type },
                Body = new Body { Request = request },
            };
            var record = RecordCodec.EncodeMsg(_options.EndpointId, session.EndpointId, msg);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            Msg answer;
            try
            {
                await session.Link.SendAsync(record, timeout.Token).ConfigureAwait(false);
                UspTelemetry.CountMessage(typeName, "sent");
                answer = await completion.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new UspTimeoutException(session.EndpointId, typeName);
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
            {
                throw new AgentDisconnectedException(session.EndpointId, ex.Message);
            }
            finally
            {
                session.Forget(msgId);
            }
            return Interpret(answer, type);
        }
        finally
        {
            session.EndRequest();
        }
    }

    private static Response Interpret(Msg answer, Header.Types.MsgType requestType)
    {
        switch (answer.Body.MsgBodyCase)
        {
            case Body.MsgBodyOneofCase.Error:
                var error = answer.Body.Error;
                UspTelemetry.CountError(error.ErrCode);
                throw new UspErrorException(error.ErrCode, error.ErrMsg,
                    error.ParamErrs.Select(p => new UspParamError(p.ParamPath, p.ErrCode, p.ErrMsg)).ToArray());
            case Body.MsgBodyOneofCase.Response when answer.Header.MsgType == requestType + 1 || answer.Body.Response.RespTypeCase != Response.RespTypeOneofCase.None:
                return answer.Body.Response;
            default:
                throw new UspProtocolViolationException($"agent answered {answer.Header.MsgType} to a {requestType}");
        }
    }
}

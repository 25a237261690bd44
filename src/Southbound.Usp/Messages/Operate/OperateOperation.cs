using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;
using UspNotify = Provisioning.Usp.Messages.Notify;

namespace Provisioning.Southbound.Usp.Messages.Operate;

internal static class OperateOperation
{
    /// <summary>
    /// Runs a command ("Device.Reboot()"). A synchronous command returns its output arguments at once; an
    /// asynchronous one (the agent answers with a Request object path) returns them from its
    /// OperationComplete notification, matched by command key, unless <paramref name="waitForCompletion"/> is false.
    /// A command the agent refuses at once (USP Error, OperateResp cmd_failure) is a <see cref="UspErrorException"/>; one
    /// that ran and failed (OperationComplete cmd_failure) a <see cref="UspCommandFailedException"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> OperateAsync(this UspRequester requester, OperationCompletions completions, AgentSession session,
        string command, string commandKey, IReadOnlyDictionary<string, string>? inputs, bool waitForCompletion, CancellationToken cancellationToken)
    {
        var operate = new Provisioning.Usp.Messages.Operate { Command = command, CommandKey = commandKey, SendResp = true };
        if (inputs is not null) foreach (var (name, value) in inputs) operate.InputArgs[name] = value;

        // Registered before sending: a fast agent may report completion before its OperateResp is read.
        var completion = waitForCompletion ? completions.Expect(session.EndpointId, commandKey, command) : null;
        try
        {
            var response = await requester.SendAsync(session, Header.Types.MsgType.Operate, new Request { Operate = operate }, cancellationToken).ConfigureAwait(false);
            if (response.RespTypeCase != Response.RespTypeOneofCase.OperateResp || response.OperateResp.OperationResults.Count == 0)
                throw new UspProtocolViolationException($"expected an OperateResp with a result, got {response.RespTypeCase}");
            var result = response.OperateResp.OperationResults[0];
            switch (result.OperationRespCase)
            {
                case OperateResp.Types.OperationResult.OperationRespOneofCase.CmdFailure:
                    Telemetry.UspTelemetry.CountError(result.CmdFailure.ErrCode);
                    throw new UspErrorException(result.CmdFailure.ErrCode, result.CmdFailure.ErrMsg, [new UspParamError(command, result.CmdFailure.ErrCode, result.CmdFailure.ErrMsg)]);
                case OperateResp.Types.OperationResult.OperationRespOneofCase.ReqOutputArgs:
                    return result.ReqOutputArgs.OutputArgs_;
                case OperateResp.Types.OperationResult.OperationRespOneofCase.ReqObjPath when completion is not null:
                    UspNotify.Types.OperationComplete done;
                    try
                    {
                        done = await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        throw new UspTimeoutException(session.EndpointId, "OperationComplete");
                    }
                    if (done.CmdFailure is { } failure)
                    {
                        Telemetry.UspTelemetry.CountError(failure.ErrCode);
                        throw new UspCommandFailedException(command, failure.ErrCode, failure.ErrMsg);
                    }
                    return done.ReqOutputArgs?.OutputArgs_ ?? (IReadOnlyDictionary<string, string>)new Dictionary<string, string>();
                default:
                    return new Dictionary<string, string>();
            }
        }
        finally
        {
            if (completion is not null) completions.Forget(session.EndpointId, commandKey);
        }
    }
}

using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.Delete;

internal static class DeleteOperation
{
    /// <summary>Deletes object instances (all or nothing); returns the paths the agent deleted.</summary>
    public static async Task<IReadOnlyList<string>> DeleteAsync(this UspRequester requester, AgentSession session, IEnumerable<string> objectPaths, CancellationToken cancellationToken)
    {
        var delete = new Provisioning.Usp.Messages.Delete { AllowPartial = false };
        delete.ObjPaths.AddRange(objectPaths);
        var response = await requester.SendAsync(session, Header.Types.MsgType.Delete, new Request { Delete = delete }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.DeleteResp)
            throw new UspProtocolViolationException($"expected DeleteResp, got {response.RespTypeCase}");
        var deleted = new List<string>();
        foreach (var result in response.DeleteResp.DeletedObjResults)
        {
            if (result.OperStatus?.OperFailure is { } failure)
            {
                Telemetry.UspTelemetry.CountError(failure.ErrCode);
                throw new UspErrorException(failure.ErrCode, failure.ErrMsg, [new UspParamError(result.RequestedPath, failure.ErrCode, failure.ErrMsg)]);
            }
            if (result.OperStatus?.OperSuccess is { } success) deleted.AddRange(success.AffectedPaths);
        }
        return deleted;
    }
}

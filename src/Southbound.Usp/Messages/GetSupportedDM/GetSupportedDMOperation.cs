using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.GetSupportedDM;

internal static class GetSupportedDMOperation
{
    /// <summary>The supported object paths (with their parameter names) under the given objects.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetSupportedDMAsync(this UspRequester requester, AgentSession session, IEnumerable<string> objectPaths, CancellationToken cancellationToken)
    {
        var request = new Provisioning.Usp.Messages.GetSupportedDM { ReturnParams = true, ReturnCommands = true, ReturnEvents = true };
        request.ObjPaths.AddRange(objectPaths);
        var response = await requester.SendAsync(session, Header.Types.MsgType.GetSupportedDm, new Request { GetSupportedDm = request }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.GetSupportedDmResp)
            throw new UspProtocolViolationException($"expected GetSupportedDMResp, got {response.RespTypeCase}");
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var requested in response.GetSupportedDmResp.ReqObjResults.Where(r => r.ErrCode == 0))
        {
            foreach (var obj in requested.SupportedObjs)
            {
                result[obj.SupportedObjPath] = obj.SupportedParams.Select(p => p.ParamName).ToArray();
            }
        }
        return result;
    }
}

using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.GetInstances;

internal static class GetInstancesOperation
{
    /// <summary>The instantiated object paths under the given objects; unresolvable paths are left out.</summary>
    public static async Task<IReadOnlyList<string>> GetInstancesAsync(this UspRequester requester, AgentSession session, IEnumerable<string> objectPaths, bool firstLevelOnly, CancellationToken cancellationToken)
    {
        var request = new Provisioning.Usp.Messages.GetInstances { FirstLevelOnly = firstLevelOnly };
        request.ObjPaths.AddRange(objectPaths);
        var response = await requester.SendAsync(session, Header.Types.MsgType.GetInstances, new Request { GetInstances = request }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.GetInstancesResp)
            throw new UspProtocolViolationException($"expected GetInstancesResp, got {response.RespTypeCase}");
        return response.GetInstancesResp.ReqPathResults
            .Where(r => r.ErrCode == 0)
            .SelectMany(r => r.CurrInsts.Select(i => i.InstantiatedObjPath))
            .ToArray();
    }
}

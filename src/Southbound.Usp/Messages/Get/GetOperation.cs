using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.Get;

/// <summary>
/// Values read with a USP Get: full parameter path to value, the paths the agent refused (err_code), and the paths
/// it answered with no resolved path at all.
/// </summary>
internal sealed record GetResult(Dictionary<string, string> Values, IReadOnlyList<UspParamError> PathErrors, IReadOnlyList<string> Unresolved);

internal static class GetOperation
{
    public static async Task<GetResult> GetAsync(this UspRequester requester, AgentSession session, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var get = new Provisioning.Usp.Messages.Get();
        get.ParamPaths.AddRange(paths);
        var response = await requester.SendAsync(session, Header.Types.MsgType.Get, new Request { Get = get }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.GetResp)
            throw new UspProtocolViolationException($"expected GetResp, got {response.RespTypeCase}");

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        List<UspParamError>? errors = null;
        List<string>? unresolved = null;
        foreach (var requested in response.GetResp.ReqPathResults)
        {
            if (requested.ErrCode != 0)
            {
                (errors ??= []).Add(new UspParamError(requested.RequestedPath, requested.ErrCode, requested.ErrMsg));
                continue;
            }
            if (requested.ResolvedPathResults.Count == 0) (unresolved ??= []).Add(requested.RequestedPath);
            foreach (var resolved in requested.ResolvedPathResults)
            {
                foreach (var (name, value) in resolved.ResultParams)
                {
                    values[resolved.ResolvedPath + name] = value;
                }
            }
        }
        return new GetResult(values, (IReadOnlyList<UspParamError>?)errors ?? [], (IReadOnlyList<string>?)unresolved ?? []);
    }
}

using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.GetSupportedProtocol;

internal static class GetSupportedProtocolOperation
{
    public const string ControllerVersions = "1.0,1.1,1.2,1.3,1.4";

    /// <summary>The USP versions the agent supports ("1.2,1.3").</summary>
    public static async Task<IReadOnlyList<string>> GetSupportedProtocolAsync(this UspRequester requester, AgentSession session, CancellationToken cancellationToken)
    {
        var request = new Provisioning.Usp.Messages.GetSupportedProtocol { ControllerSupportedProtocolVersions = ControllerVersions };
        var response = await requester.SendAsync(session, Header.Types.MsgType.GetSupportedProto, new Request { GetSupportedProtocol = request }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.GetSupportedProtocolResp)
            throw new UspProtocolViolationException($"expected GetSupportedProtocolResp, got {response.RespTypeCase}");
        return response.GetSupportedProtocolResp.AgentSupportedProtocolVersions
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}

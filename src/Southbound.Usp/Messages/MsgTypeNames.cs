using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages;

/// <summary>Span and metric names per message type, without allocating per message.</summary>
internal static class MsgTypeNames
{
    private static readonly string[] Names = Enum.GetValues<Header.Types.MsgType>()
        .OrderBy(t => (int)t)
        .Select(Pascal)
        .ToArray();

    public static string Of(Header.Types.MsgType type) =>
        (uint)type < (uint)Names.Length ? Names[(int)type] : "Unknown";

    private static string Pascal(Header.Types.MsgType type) => type switch
    {
        Header.Types.MsgType.GetSupportedDm => "GetSupportedDM",
        Header.Types.MsgType.GetSupportedDmResp => "GetSupportedDMResp",
        Header.Types.MsgType.GetSupportedProto => "GetSupportedProtocol",
        Header.Types.MsgType.GetSupportedProtoResp => "GetSupportedProtocolResp",
        _ => type.ToString(),
    };
}

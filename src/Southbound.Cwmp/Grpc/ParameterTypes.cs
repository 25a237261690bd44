using Provisioning.Contracts.Common;

namespace Provisioning.Southbound.Cwmp.Grpc;

/// <summary>Maps the contract's ParameterType to and from the xsi:type CWMP carries.</summary>
public static class ParameterTypes
{
    public static string ToXsi(ParameterType type) => type switch
    {
        ParameterType.Int => "xsd:int",
        ParameterType.UnsignedInt => "xsd:unsignedInt",
        ParameterType.Boolean => "xsd:boolean",
        ParameterType.DateTime => "xsd:dateTime",
        ParameterType.Base64 => "xsd:base64Binary",
        ParameterType.Long => "xsd:long",
        ParameterType.UnsignedLong => "xsd:unsignedLong",
        ParameterType.HexBinary => "xsd:hexBinary",
        _ => "xsd:string",
    };

    /// <summary>Accepts any prefix ("xsd:", "xs:", none); unknown or missing types read as string.</summary>
    public static ParameterType FromXsi(string? xsiType)
    {
        if (string.IsNullOrEmpty(xsiType)) return ParameterType.String;
        var local = xsiType.AsSpan(xsiType.IndexOf(':') + 1);
        return local switch
        {
            "int" => ParameterType.Int,
            "unsignedInt" => ParameterType.UnsignedInt,
            "boolean" => ParameterType.Boolean,
            "dateTime" => ParameterType.DateTime,
            "base64" or "base64Binary" => ParameterType.Base64,
            "long" => ParameterType.Long,
            "unsignedLong" => ParameterType.UnsignedLong,
            "hexBinary" => ParameterType.HexBinary,
            _ => ParameterType.String,
        };
    }
}

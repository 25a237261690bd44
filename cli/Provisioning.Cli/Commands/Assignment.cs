using Provisioning.Contracts.Common;

namespace Provisioning.Cli.Commands;

/// <summary>
/// `name=value[:type]` of `cpe set`. The type is taken only when the text after the last ':' names one, so values
/// that hold colons (times, MAC addresses, URLs) need no quoting: "Device.Time.NTPServer1=ntp:123" stays a string.
/// </summary>
internal static class Assignment
{
    /// <summary>The xsd names TR-069 and TR-181 use, case-insensitive.</summary>
    private static readonly Dictionary<string, ParameterType> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["string"] = ParameterType.String,
        ["int"] = ParameterType.Int,
        ["unsignedInt"] = ParameterType.UnsignedInt,
        ["boolean"] = ParameterType.Boolean,
        ["dateTime"] = ParameterType.DateTime,
        ["base64"] = ParameterType.Base64,
        ["long"] = ParameterType.Long,
        ["unsignedLong"] = ParameterType.UnsignedLong,
        ["hexBinary"] = ParameterType.HexBinary,
    };

    public static IEnumerable<string> TypeNames => Types.Keys;

    public static string? Problem(string text)
    {
        var equals = text.IndexOf('=');
        return equals <= 0 ? $"'{text}' is not name=value[:type]" : null;
    }

    public static ParameterValue Parse(string text)
    {
        var equals = text.IndexOf('=');
        var name = text[..equals];
        var value = text[(equals + 1)..];
        var type = ParameterType.String;
        var colon = value.LastIndexOf(':');
        if (colon >= 0 && Types.TryGetValue(value[(colon + 1)..], out var named))
        {
            type = named;
            value = value[..colon];
        }
        return new ParameterValue { Name = name, Value = value, Type = type };
    }
}

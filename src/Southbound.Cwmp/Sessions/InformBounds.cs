using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// What device-reported text of an Inform may hold before a session exists for it. The identity fields end up in
/// logs, spans, events and the inventory: a control character there forges log lines, and an unbounded one makes
/// every line that names the device as large as the attacker likes. TR-069's own bounds are smaller (DeviceIdStruct
/// fields string(64), EventCode string(64), CommandKey string(32)); these leave room for sloppy firmware.
/// </summary>
public static class InformBounds
{
    public const int DeviceIdField = 64;
    public const int EventCode = 256;
    public const int CommandKey = 256;
    public const int Url = 1024;
    public const int ReportedValue = 256;

    /// <summary>Null when the Inform is acceptable, otherwise why not (naming the field, never repeating its value).</summary>
    public static string? Violation(Inform inform)
    {
        var id = inform.DeviceId;
        if (Check("DeviceId.SerialNumber", id.SerialNumber, DeviceIdField) is { } serial) return serial;
        if (Check("DeviceId.OUI", id.Oui, DeviceIdField) is { } oui) return oui;
        if (Check("DeviceId.ProductClass", id.ProductClass, DeviceIdField) is { } productClass) return productClass;
        if (Check("DeviceId.Manufacturer", id.Manufacturer, DeviceIdField) is { } manufacturer) return manufacturer;
        foreach (var e in inform.Events)
        {
            if (Check("EventCode", e.EventCode, EventCode) is { } code) return code;
            if (Check("CommandKey", e.CommandKey, CommandKey) is { } key) return key;
        }
        foreach (var p in inform.ParameterList)
        {
            // Only the values the ACS takes into the device's identity; the others are data, not names.
            var bound = p.Name.EndsWith(".ManagementServer.ConnectionRequestURL", StringComparison.Ordinal) ? Url
                : p.Name.EndsWith(".DeviceInfo.ModelName", StringComparison.Ordinal)
                  || p.Name.EndsWith(".DeviceInfo.SoftwareVersion", StringComparison.Ordinal)
                  || p.Name.EndsWith(".DeviceInfo.HardwareVersion", StringComparison.Ordinal)
                  || p.Name.EndsWith(".ManagementServer.ParameterKey", StringComparison.Ordinal) ? ReportedValue
                : 0;
            if (bound > 0 && Check(p.Name.AsSpan(p.Name.LastIndexOf('.', p.Name.Length - 1) + 1).ToString(), p.Value, bound) is { } value) return value;
        }
        return null;
    }

    private static string? Check(string field, string? value, int bound)
    {
        if (value is null) return null;
        if (value.Length > bound) return $"{field} is longer than {bound} characters";
        foreach (var c in value)
            if (char.IsControl(c) || c is '\u2028' or '\u2029') return $"{field} contains a control character";
        return null;
    }
}

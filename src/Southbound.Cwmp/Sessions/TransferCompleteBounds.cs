using System.Globalization;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// What a TransferComplete (A.3.3.3) must hold to be taken as a transfer's outcome. Its CommandKey and fault go into the
/// workflow's events, spans and the firmware_upgrade_failed result, so they are bounded like the Inform's text; a
/// report that fails these checks is refused with 8003 and changes nothing.
/// </summary>
public static class TransferCompleteBounds
{
    public const int FaultString = 1024;

    /// <summary>CWMP's "unknown time" (A.2.2.2), sent for a time the CPE does not know.</summary>
    private const string UnknownTime = "0001-01-01T00:00:00";

    /// <summary>Null when the report is acceptable, otherwise why not (naming the field, never repeating its value).</summary>
    public static string? Violation(TransferComplete transfer)
    {
        if (transfer.CommandKey.Length > InformBounds.CommandKey) return $"CommandKey is longer than {InformBounds.CommandKey} characters";
        if (transfer.CommandKey.Any(char.IsControl)) return "CommandKey contains a control character";
        // 0: success; otherwise a CPE fault code (A.5.1: 9000-9032 and vendor 9800-9899): an ACS code or any other is no outcome.
        if (transfer.Fault.FaultCode is not 0 and not (>= 9000 and <= 9899)) return "FaultCode is neither 0 nor a CPE fault code (9000-9899)";
        if (transfer.Fault.FaultString.Length > FaultString) return $"FaultString is longer than {FaultString} characters";
        if (!IsTime(transfer.StartTime)) return "StartTime is not a dateTime";
        if (!IsTime(transfer.CompleteTime)) return "CompleteTime is not a dateTime";
        return null;
    }

    /// <summary>A time as the contract carries it: as reported, or "" when unknown (none, or CWMP's 0001-01-01T00:00:00Z).</summary>
    public static string ContractTime(string reported) =>
        reported.Length == 0 || reported.StartsWith(UnknownTime, StringComparison.Ordinal) ? "" : reported;

    // Empty is taken as unknown (sloppy firmware omits it); the unknown time itself would not parse with an offset.
    private static bool IsTime(string value) =>
        value.Length == 0 || value.StartsWith(UnknownTime, StringComparison.Ordinal)
        || (value.Length <= 64 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _));
}

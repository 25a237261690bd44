using System.Buffers;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// What a device says (its identity, fault strings, values it reads back) goes into events, spans and reports: kept
/// printable and bounded. A NUL from a USP agent's string would make PostgreSQL refuse the whole append; escape
/// sequences would reach an analyst's terminal.
/// </summary>
public static class DeviceText
{
    // char.IsControl: U+0000–U+001F and U+007F–U+009F.
    private static readonly SearchValues<char> Controls = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c)]);

    /// <summary>The value itself when it is already printable and short enough (the usual case: nothing allocated).</summary>
    public static string Printable(string value, int maxLength = 256)
    {
        var printable = value.AsSpan().ContainsAny(Controls) ? string.Concat(value.Where(c => !char.IsControl(c))) : value;
        return printable.Length <= maxLength ? printable : printable[..maxLength] + "…";
    }
}

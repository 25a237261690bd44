namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// What a device says (its identity, fault strings, values it reads back) goes into events, spans and reports: kept
/// printable and bounded. A NUL from a USP agent's string would make PostgreSQL refuse the whole append; escape
/// sequences would reach an analyst's terminal.
/// </summary>
public static class DeviceText
{
    public static string Printable(string value, int maxLength = 256)
    {
        var printable = value.Any(char.IsControl) ? new string(value.Where(c => !char.IsControl(c)).ToArray()) : value;
        return printable.Length <= maxLength ? printable : printable[..maxLength] + "…";
    }
}

namespace Provisioning.Cli.Events;

/// <summary>How replay writes events: one JSON object per line, or CSV with the payload as a JSON column.</summary>
public enum EventFormat
{
    JsonLines,
    Csv,
}

public static class EventFormats
{
    public static EventFormat Parse(string? format, string? outputPath) => format?.ToLowerInvariant() switch
    {
        "jsonl" or "json" or "ndjson" => EventFormat.JsonLines,
        "csv" => EventFormat.Csv,
        null when outputPath is not null && outputPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) => EventFormat.Csv,
        null => EventFormat.JsonLines,
        _ => throw new CliException($"--format '{format}' is not jsonl or csv"),
    };

    public static IEventWriter CreateWriter(EventFormat format, TextWriter writer, bool writeHeader) => format switch
    {
        EventFormat.Csv => new CsvEventWriter(writer, writeHeader),
        _ => new JsonLinesEventWriter(writer),
    };

    /// <summary>Parses one complete line (a record) of an export back into its event.</summary>
    public static IEnumerable<Contracts.Northbound.ProvisioningEvent> Read(EventFormat format, TextReader reader) => format switch
    {
        EventFormat.Csv => CsvEventWriter.ReadAll(reader),
        _ => JsonLinesEventWriter.ReadAll(reader),
    };
}

/// <summary>Writes events to a text writer the caller owns (and disposes).</summary>
public interface IEventWriter
{
    void Write(Contracts.Northbound.ProvisioningEvent e);
    void Flush();
}

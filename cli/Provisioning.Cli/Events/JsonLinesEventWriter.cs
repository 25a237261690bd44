using Google.Protobuf;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Events;

/// <summary>
/// JSON Lines: each line is the whole event in protobuf's canonical JSON with the proto field names
/// (global_position, workflow_id, ..., and the payload under its oneof name, e.g. "config_pushed"), so
/// jq can read it and <see cref="JsonParser"/> gives back exactly the same event.
/// </summary>
public sealed class JsonLinesEventWriter(TextWriter writer) : IEventWriter
{
    public static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default
        .WithFormatDefaultValues(true)
        .WithPreserveProtoFieldNames(true));

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public void Write(ProvisioningEvent e) => writer.WriteLine(Formatter.Format(e));

    public void Flush() => writer.Flush();

    public static ProvisioningEvent Parse(string line) => Parser.Parse<ProvisioningEvent>(line);

    public static IEnumerable<ProvisioningEvent> ReadAll(TextReader reader)
    {
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            ProvisioningEvent e;
            try
            {
                e = Parse(line);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new CliException($"line {lineNumber} is not an exported event: {ex.Message}");
            }
            catch (InvalidJsonException ex)
            {
                throw new CliException($"line {lineNumber} is not an exported event: {ex.Message}");
            }
            yield return e;
        }
    }
}

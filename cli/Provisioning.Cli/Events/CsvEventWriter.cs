using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Provisioning.Cli.Output;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Events;

/// <summary>
/// CSV: the fields every event has as columns (spreadsheet-friendly: enum short names, RFC 3339 times),
/// the oneof payload as its field name (payload_type) and its canonical JSON (payload_json), so an
/// exported row parses back to the same event.
/// </summary>
public sealed class CsvEventWriter : IEventWriter
{
    public static readonly string[] Columns =
    [
        "global_position", "workflow_id", "stream_version", "event_type", "occurred_at", "serial_number",
        "step", "trace_id", "span_id", "payload_type", "payload_json",
    ];

    private static readonly JsonFormatter PayloadFormatter = new(JsonFormatter.Settings.Default
        .WithFormatDefaultValues(true)
        .WithPreserveProtoFieldNames(true));

    private readonly CsvWriter _csv;

    public CsvEventWriter(TextWriter writer, bool writeHeader)
    {
        _csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }, leaveOpen: true);
        if (!writeHeader) return;
        foreach (var column in Columns) _csv.WriteField(column);
        _csv.NextRecord();
    }

    public void Write(ProvisioningEvent e)
    {
        _csv.WriteField(e.GlobalPosition.ToString(CultureInfo.InvariantCulture));
        _csv.WriteField(e.WorkflowId);
        _csv.WriteField(e.StreamVersion.ToString(CultureInfo.InvariantCulture));
        _csv.WriteField(e.EventType);
        _csv.WriteField(e.OccurredAt is null ? "" : JsonFormatter.Default.Format(e.OccurredAt).Trim('"'));
        _csv.WriteField(e.SerialNumber);
        _csv.WriteField(ProtoNames.Short(e.Step));
        _csv.WriteField(e.TraceId);
        _csv.WriteField(e.SpanId);
        var payload = PayloadField(e);
        _csv.WriteField(payload?.Name ?? "");
        _csv.WriteField(payload is null ? "" : PayloadFormatter.Format((IMessage)payload.Accessor.GetValue(e)));
        _csv.NextRecord();
    }

    public void Flush() => _csv.Flush();

    public static IEnumerable<ProvisioningEvent> ReadAll(TextReader reader)
    {
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        if (!csv.Read() || !csv.ReadHeader()) yield break;
        var missing = Columns.Where(column => !csv.HeaderRecord!.Contains(column)).ToList();
        if (missing.Count > 0) throw new CliException($"line 1: missing column(s) {string.Join(", ", missing)}");
        while (csv.Read())
        {
            ProvisioningEvent e;
            try
            {
                e = ParseRecord(csv);
            }
            catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException or InvalidJsonException or CliException)
            {
                throw new CliException($"line {csv.Parser.RawRow}: not an exported event: {ex.Message}");
            }
            yield return e;
        }
    }

    private static ProvisioningEvent ParseRecord(CsvReader csv)
    {
        var e = new ProvisioningEvent
        {
            GlobalPosition = long.Parse(csv.GetField("global_position")!, CultureInfo.InvariantCulture),
            WorkflowId = csv.GetField("workflow_id")!,
            StreamVersion = long.Parse(csv.GetField("stream_version")!, CultureInfo.InvariantCulture),
            EventType = csv.GetField("event_type")!,
            SerialNumber = csv.GetField("serial_number")!,
            Step = ProtoNames.Parse<WorkflowStep>(csv.GetField("step")!, "step"),
            TraceId = csv.GetField("trace_id")!,
            SpanId = csv.GetField("span_id")!,
        };
        var occurredAt = csv.GetField("occurred_at")!;
        if (occurredAt.Length > 0) e.OccurredAt = JsonParser.Default.Parse<Timestamp>($"\"{occurredAt}\"");
        var payloadType = csv.GetField("payload_type")!;
        if (payloadType.Length > 0)
        {
            var field = ProvisioningEvent.Descriptor.FindFieldByName(payloadType);
            if (field?.RealContainingOneof is null || field.MessageType is null)
                throw new FormatException($"unknown payload_type '{payloadType}'");
            field.Accessor.SetValue(e, JsonParser.Default.Parse(csv.GetField("payload_json")!, field.MessageType));
        }
        return e;
    }

    private static Google.Protobuf.Reflection.FieldDescriptor? PayloadField(ProvisioningEvent e) =>
        e.PayloadCase == ProvisioningEvent.PayloadOneofCase.None
            ? null
            : ProvisioningEvent.Descriptor.FindFieldByNumber((int)e.PayloadCase);
}

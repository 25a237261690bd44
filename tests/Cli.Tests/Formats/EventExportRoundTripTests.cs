using Provisioning.Cli.Events;

namespace Provisioning.Cli.Tests.Formats;

public sealed class EventExportRoundTripTests
{
    [Theory]
    [InlineData(EventFormat.JsonLines)]
    [InlineData(EventFormat.Csv)]
    public void Every_payload_type_parses_back_to_the_same_event(EventFormat format)
    {
        var events = SampleEvents.TwoWorkflows();
        var text = new StringWriter();
        var writer = EventFormats.CreateWriter(format, text, writeHeader: true);
        foreach (var e in events) writer.Write(e);
        writer.Flush();

        var parsed = EventFormats.Read(format, new StringReader(text.ToString())).ToList();

        Assert.Equal(events, parsed);
    }

    [Fact]
    public void Csv_has_the_common_columns_and_the_payload_as_json()
    {
        var text = new StringWriter();
        var writer = new CsvEventWriter(text, writeHeader: true);
        writer.Write(SampleEvents.TwoWorkflows()[7]);
        writer.Flush();

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("global_position,workflow_id,stream_version,event_type,occurred_at,serial_number,step,trace_id,span_id,payload_type,payload_json", lines[0]);
        Assert.StartsWith("8,wf-bad,8,ProvisioningFailed,2026-11-24T06:00:07.123456700Z,SN-BAD,push_config,4bf92f3577b34da6a3ce929d0e0e4736,00f067aa0ba902b7,provisioning_failed,", lines[1]);
        Assert.Contains("\"\"result\"\": \"\"WORKFLOW_RESULT_CONFIG_PUSH_FAILED\"\"", lines[1]);
    }

    [Fact]
    public void Json_lines_use_proto_field_names_and_keep_default_common_fields()
    {
        var text = new StringWriter();
        var writer = new JsonLinesEventWriter(text);
        writer.Write(SampleEvents.TwoWorkflows()[0]);
        writer.Flush();

        var line = text.ToString().TrimEnd('\n');
        Assert.DoesNotContain('\n', line);
        Assert.Contains("\"global_position\": \"1\"", line);
        Assert.Contains("\"workflow_id\": \"wf-ok\"", line);
        Assert.Contains("\"step\": \"WORKFLOW_STEP_UNSPECIFIED\"", line);
        Assert.Contains("\"provisioning_requested\": {", line);
        Assert.Contains("\"event_codes\": [ \"0 BOOTSTRAP\", \"1 BOOT\" ]", line);
    }
}

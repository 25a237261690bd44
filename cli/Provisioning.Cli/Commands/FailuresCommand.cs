using System.CommandLine;
using System.Globalization;
using CsvHelper;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe failures`: the server's failure report (failure-statistics projection) over a time range.</summary>
internal static class FailuresCommand
{
    public static readonly string[] CsvColumns = ["step", "result", "fault_code", "parameter_fault_codes", "model", "firmware_version", "service_plan", "count"];

    public static Command Create(CliContext context)
    {
        var since = EventOptions.Time("--since", "Failures from (default 24h ago)");
        var until = EventOptions.Time("--until", "Failures up to (default now)");
        var format = new Option<string>("--format") { Description = "table, csv or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");

        var command = new Command("failures", "Failed workflows grouped by step, result, fault code, model, firmware and plan; refused device contacts by reason (table, json)")
        {
            since, until, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var to = parse.GetValue(until) ?? DateTimeOffset.UtcNow;
            var from = parse.GetValue(since) ?? to.AddDays(-1);
            if (to < from) throw new CliException($"--until ({to:O}) is before --since ({from:O})");

            using var connection = context.Connect(parse);
            var report = await connection.Provisioning.GetFailureReportAsync(new GetFailureReportRequest
            {
                From = Timestamp.FromDateTimeOffset(from),
                To = Timestamp.FromDateTimeOffset(to),
            }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);

            switch (parse.GetValue(format))
            {
                case "json":
                    await context.Terminal.Out.WriteLineAsync(
                        new JsonFormatter(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithFormatDefaultValues(true)).Format(report));
                    break;
                case "csv":
                    WriteCsv(report, context.Terminal.Out);
                    break;
                default:
                    WriteTable(report, from, to, context.Console);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteCsv(FailureReport report, TextWriter writer)
    {
        // Model and firmware are reported by devices: a value like "=HYPERLINK(...)" must not become a formula
        // in the spreadsheet this report is opened in.
        using var csv = new CsvWriter(writer, new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture)
        {
            InjectionOptions = CsvHelper.Configuration.InjectionOptions.Escape,
        }, leaveOpen: true);
        foreach (var column in CsvColumns) csv.WriteField(column);
        csv.NextRecord();
        foreach (var row in report.Rows)
        {
            csv.WriteField(ProtoNames.Short(row.Step));
            csv.WriteField(ProtoNames.Short(row.Result));
            csv.WriteField(row.FaultCode == 0 ? "" : row.FaultCode.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(ParameterCodes(row));
            csv.WriteField(row.Model);
            csv.WriteField(row.FirmwareVersion);
            csv.WriteField(row.ServicePlan);
            csv.WriteField(row.Count.ToString(CultureInfo.InvariantCulture));
            csv.NextRecord();
        }
        csv.Flush();
    }

    /// <summary>Refused device contacts by reason and protocol (unregistered devices counted, not listed).</summary>
    private static void WriteRefusals(FailureReport report, DateTimeOffset from, DateTimeOffset to, IAnsiConsole console)
    {
        var title = $"{report.TotalRefused} refused contact(s) {from:yyyy-MM-dd HH:mm} .. {to:yyyy-MM-dd HH:mm} UTC";
        if (report.Refusals.Count == 0)
        {
            console.MarkupLine(Markup.Escape(title));
            return;
        }
        var table = new Table().Title(Markup.Escape(title));
        table.AddColumns("Reason", "Protocol");
        table.AddColumn(new TableColumn("Contacts").RightAligned());
        table.AddColumn(new TableColumn("Devices").RightAligned());
        foreach (var row in report.Refusals.OrderByDescending(r => r.Count))
        {
            table.AddRow(EventText.Cell(row.Reason), EventText.Cell(ProtoNames.Short(row.Protocol)),
                row.Count.ToString(CultureInfo.InvariantCulture), row.Devices.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }

    internal static void WriteTable(FailureReport report, DateTimeOffset from, DateTimeOffset to, IAnsiConsole console)
    {
        var title = $"{report.TotalFailed} failed workflow(s) {from:yyyy-MM-dd HH:mm} .. {to:yyyy-MM-dd HH:mm} UTC";
        WriteRefusals(report, from, to, console);
        if (report.Rows.Count == 0)
        {
            console.MarkupLine(Markup.Escape(title));
            return;
        }
        var table = new Table().Title(Markup.Escape(title));
        table.AddColumns("Step", "Result", "Fault", "Parameter faults", "Model", "Firmware", "Plan");
        table.AddColumn(new TableColumn("Count").RightAligned());
        foreach (var row in report.Rows.OrderByDescending(r => r.Count))
        {
            table.AddRow(
                EventText.Cell(ProtoNames.Short(row.Step)),
                EventText.Cell(ProtoNames.Short(row.Result)),
                row.FaultCode == 0 ? "" : row.FaultCode.ToString(CultureInfo.InvariantCulture),
                ParameterCodes(row),
                EventText.Cell(row.Model),
                EventText.Cell(row.FirmwareVersion),
                EventText.Cell(row.ServicePlan),
                row.Count.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }

    /// <summary>"7010 7013": the per-parameter codes a failure carried (a 7004 / 9003 says little without them).</summary>
    private static string ParameterCodes(FailureReportRow row) =>
        string.Join(' ', row.ParameterFaultCodes.Select(c => c.ToString(CultureInfo.InvariantCulture)));
}

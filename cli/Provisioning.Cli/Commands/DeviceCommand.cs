using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe device SERIAL`: the device's provisioning history with results, faults and trace ids.</summary>
internal static class DeviceCommand
{
    public static Command Create(CliContext context)
    {
        var serial = new Argument<string>("serial") { Description = "Device serial number" };
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("device", "A device's provisioning history (results, faults and trace ids), refused contacts and credential state") { serial, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            var history = await connection.Provisioning.GetDeviceHistoryAsync(
                new GetDeviceHistoryRequest { SerialNumber = parse.GetRequiredValue(serial) },
                deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await context.Terminal.Out.WriteLineAsync(
                    new JsonFormatter(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true)).Format(history));
                return ExitCodes.Success;
            }
            WriteTable(history, context.Console);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteTable(DeviceHistory history, IAnsiConsole console)
    {
        if (history.CredentialState.Length > 0) console.MarkupLine(Markup.Escape($"{history.SerialNumber}: credential {history.CredentialState}"));
        WriteContacts(history, console);
        if (history.Entries.Count == 0)
        {
            console.MarkupLine(Markup.Escape($"{history.SerialNumber}: no provisioning history"));
            return;
        }
        var table = new Table().Title(Markup.Escape($"{history.SerialNumber}: {history.Entries.Count} workflow(s)"));
        // Ids stay on one line so they can be copied; the reason wraps.
        table.AddColumns("Started (UTC)");
        table.AddColumn(new TableColumn("Workflow").NoWrap());
        table.AddColumns("Kind", "Trigger", "Result", "Failed step", "Fault", "Plan", "Model / firmware");
        table.AddColumn(new TableColumn("Trace id").NoWrap());
        table.AddColumn("Reason");
        foreach (var entry in history.Entries.OrderBy(e => e.StartedAt?.ToDateTimeOffset()))
        {
            var result = ProtoNames.Short(entry.Result);
            table.AddRow(
                Time(entry.StartedAt),
                EventText.Cell(entry.WorkflowId),
                EventText.Cell(entry.Kind == WorkflowKind.Unspecified ? "provision" : ProtoNames.Short(entry.Kind)),
                EventText.Cell(ProtoNames.Short(entry.Trigger)),
                entry.Result switch { WorkflowResult.Success => $"[green]{result}[/]", WorkflowResult.Unspecified => "running", _ => $"[red]{EventText.Cell(result)}[/]" },
                EventText.Cell(ProtoNames.Short(entry.FailedStep)),
                entry.FaultCode == 0 ? "" : entry.FaultCode.ToString(CultureInfo.InvariantCulture),
                EventText.Cell(entry.ServicePlan),
                EventText.Cell(entry.Model.Length == 0 ? "" : $"{entry.Model} / {entry.FirmwareVersion}"),
                EventText.Cell(entry.TraceId),
                EventText.Cell(entry.FailureReason));
        }
        console.Write(table);
    }

    /// <summary>What happened at the device's door outside workflows: refused contacts, credential life cycle, factory resets.</summary>
    private static void WriteContacts(DeviceHistory history, IAnsiConsole console)
    {
        if (history.Contacts.Count == 0) return;
        var table = new Table().Title(Markup.Escape($"{history.SerialNumber}: {history.Contacts.Count} contact record(s)"));
        table.AddColumns("First (UTC)", "Last (UTC)", "Event", "Reason", "Protocol");
        table.AddColumn(new TableColumn("Count").RightAligned());
        table.AddColumns("From", "Workflow", "Detail");
        foreach (var contact in history.Contacts.OrderBy(c => c.OccurredAt?.ToDateTimeOffset()))
        {
            table.AddRow(
                Time(contact.OccurredAt),
                Time(contact.LastSeenAt),
                contact.Kind == "contact_refused" ? "[red]contact_refused[/]" : EventText.Cell(contact.Kind),
                EventText.Cell(contact.Reason),
                EventText.Cell(ProtoNames.Short(contact.Protocol)),
                contact.Count.ToString(CultureInfo.InvariantCulture),
                EventText.Cell(contact.RemoteAddress),
                EventText.Cell(contact.WorkflowId),
                EventText.Cell(contact.Detail));
        }
        console.Write(table);
    }

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? timestamp) =>
        timestamp is null ? "" : timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

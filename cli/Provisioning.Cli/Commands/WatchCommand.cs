using System.CommandLine;
using Grpc.Core;
using Provisioning.Cli.Events;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe watch`: follow the live event stream, filtered by device, workflow or result.</summary>
internal static class WatchCommand
{
    public static Command Create(CliContext context)
    {
        var serial = new Option<string?>("--serial") { Description = "Only this device's events (filtered by the server)" };
        var workflow = new Option<string?>("--workflow") { Description = "Only this workflow's events (filtered by the server)" };
        var result = EventOptions.Result();
        result.Description += " — shows the workflows' final events with that result";
        var fromPosition = new Option<long?>("--from-position") { Description = "Also show stored events after this global position (default: only events from now on)" };
        var since = EventOptions.Time("--since", "Also show stored events that occurred since then");
        var format = new Option<string>("--format") { Description = "text (one line per event) or jsonl", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "jsonl");
        var count = new Option<int?>("--count") { Description = "Stop after this many events" };

        var command = new Command("watch", "Follow provisioning events as they happen (Ctrl+C to stop)")
        {
            serial, workflow, result, fromPosition, since, format, count,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var startedAt = DateTimeOffset.UtcNow;
            var criteria = new ReplayCriteria
            {
                // The server has no "from now" position: skip what happened before the watch unless asked.
                Since = parse.GetValue(since) ?? (parse.GetValue(fromPosition) is null ? startedAt : null),
                Result = parse.GetValue(result),
            };
            var filter = new ReplayFilter(criteria);
            var jsonl = parse.GetValue(format) == "jsonl";
            var limit = parse.GetValue(count);

            using var connection = context.Connect(parse);
            // Without a position or a server-side filter, skip the stored history instead of streaming it all.
            var from = parse.GetValue(fromPosition)
                ?? (parse.GetValue(serial) is null && parse.GetValue(workflow) is null && parse.GetValue(since) is null
                    ? await StreamHead.EstimateAsync(connection, cancellationToken)
                    : 0);
            var request = EventOptions.Request(parse.GetValue(serial), parse.GetValue(workflow), from, follow: true);
            using var stream = connection.Provisioning.StreamProvisioningEvents(request, cancellationToken: cancellationToken);
            var shown = 0;
            try
            {
                await foreach (var e in stream.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (!filter.Accept(e)) continue;
                    if (jsonl)
                    {
                        await context.Terminal.Out.WriteLineAsync(JsonLinesEventWriter.Formatter.Format(e));
                        await context.Terminal.Out.FlushAsync(cancellationToken);
                    }
                    else
                    {
                        context.Console.MarkupLine(EventText.Markup(e));
                    }
                    if (++shown == limit) return ExitCodes.Success;
                }
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested
                && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // Ctrl+C is how a watch ends.
                return ExitCodes.Success;
            }
            throw new CliException("the server closed the event stream", ExitCodes.Unreachable);
        });
        return command;
    }
}

using System.CommandLine;
using Grpc.Core;
using Provisioning.Cli.Events;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>
/// `cpe replay`: read stored events from a position or a time range, filter them, and export them as
/// JSON Lines or CSV; resumable from the last position in the output file.
/// </summary>
internal static class ReplayCommand
{
    // Events are stamped by the instance that stored them; allow for clock skew before stopping at --until.
    private static readonly TimeSpan UntilSlack = TimeSpan.FromMinutes(5);

    public static Command Create(CliContext context)
    {
        var fromPosition = new Option<long>("--from-position") { Description = "Start after this global position", DefaultValueFactory = _ => 0 };
        var since = EventOptions.Time("--since", "Only events that occurred at or after");
        var until = EventOptions.Time("--until", "Only events that occurred at or before");
        var serial = new Option<string?>("--serial") { Description = "Only this device (filtered by the server)" };
        var workflow = new Option<string?>("--workflow") { Description = "Only this workflow (filtered by the server)" };
        var result = EventOptions.Result();
        result.Description += " (keeps the final events of workflows with that result)";
        var step = EventOptions.Step();
        step.Description += " (keeps events of that step, including failures at it)";
        var faultCode = new Option<uint?>("--fault-code") { Description = "Only failures with this device fault code (e.g. 9007)" };
        var model = new Option<string?>("--model") { Description = "Only workflows of this CPE model" };
        var firmware = new Option<string?>("--firmware") { Description = "Only workflows of devices on this firmware version" };
        var plan = new Option<string?>("--plan") { Description = "Only workflows with this service plan" };
        var format = new Option<string?>("--format") { Description = "jsonl (default) or csv; default csv when --output ends in .csv" };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (with a progress bar) instead of stdout" };
        var resume = new Option<bool>("--resume") { Description = "Append to --output after the last global position it holds (no gaps, no duplicates)" };
        var maxEvents = new Option<int?>("--max-events") { Description = "Stop after writing this many events" };

        var command = new Command("replay", "Read stored events from a position or time range, filter and export them")
        {
            fromPosition, since, until, serial, workflow, result, step, faultCode, model, firmware, plan, format, output, resume, maxEvents,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var outputPath = parse.GetValue(output);
            var eventFormat = EventFormats.Parse(parse.GetValue(format), outputPath);
            var criteria = EventOptions.Validate(new ReplayCriteria
            {
                Since = parse.GetValue(since),
                Until = parse.GetValue(until),
                Step = parse.GetValue(step),
                Result = parse.GetValue(result),
                FaultCode = parse.GetValue(faultCode),
                Model = parse.GetValue(model),
                Firmware = parse.GetValue(firmware),
                Plan = parse.GetValue(plan),
            });
            if (parse.GetValue(resume) && outputPath is null) throw new CliException("--resume needs --output FILE");

            var resumeAfter = parse.GetValue(resume) ? EventFile.PrepareResume(outputPath!, eventFormat) : null;
            var start = parse.GetValue(fromPosition);
            // Workflow criteria are learnt from earlier events of the stream, so a filtered resume reads
            // the range again from its start (writing nothing up to the last position) to decide exactly
            // as the interrupted run did; an unfiltered one continues right after the last position.
            var streamAfter = resumeAfter is { } last && !criteria.NeedsWorkflowState ? Math.Max(start, last) : start;
            var request = EventOptions.Request(parse.GetValue(serial), parse.GetValue(workflow), streamAfter, follow: false);
            var run = new ReplayRun(new ReplayFilter(criteria), criteria.Until, resumeAfter ?? long.MinValue, parse.GetValue(maxEvents));

            using var connection = context.Connect(parse);
            if (outputPath is null)
            {
                var writer = EventFormats.CreateWriter(eventFormat, context.Terminal.Out, writeHeader: true);
                await run.ExecuteAsync(connection.Provisioning, request, writer, _ => { }, cancellationToken);
                return ExitCodes.Success;
            }

            // A resumed CSV already has its header (unless the file was empty).
            var writeHeader = !parse.GetValue(resume) || EventFile.IsEmpty(outputPath);
            await using (var file = EventFile.OpenForWriting(outputPath, append: parse.GetValue(resume)))
            {
                var writer = EventFormats.CreateWriter(eventFormat, file, writeHeader);
                await context.Console.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask("replaying", maxValue: 1.0);
                        var startedAt = DateTimeOffset.UtcNow;
                        DateTimeOffset? first = null;
                        await run.ExecuteAsync(connection.Provisioning, request, writer, e =>
                        {
                            // Events come roughly in time order: show how far through the time range we are.
                            if (e.OccurredAt is null) return;
                            var at = e.OccurredAt.ToDateTimeOffset();
                            first ??= at;
                            var end = criteria.Until ?? startedAt;
                            var span = (end - first.Value).TotalSeconds;
                            task.Value = span <= 0 ? 1 : Math.Clamp((at - first.Value).TotalSeconds / span, 0, 1);
                            task.Description = $"replaying: {run.Read:N0} read, {run.Written:N0} written";
                        }, cancellationToken);
                        task.Description = $"replayed: {run.Read:N0} read, {run.Written:N0} written";
                        task.Value = task.MaxValue;
                    });
            }
            context.Console.MarkupLine(Markup.Escape(run.Written == 0
                ? $"no new events matched; {outputPath} unchanged" + (resumeAfter is { } r ? $" (it ends at position {r})" : "")
                : $"wrote {run.Written} event(s) to {outputPath}, global positions {run.FirstWritten}..{run.LastWritten}"
                  + (resumeAfter is { } after ? $" (resumed after {after})" : "")));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One pass over the stream: filter, skip what a resumed file already holds, write.</summary>
    private sealed class ReplayRun(ReplayFilter filter, DateTimeOffset? until, long writeAfter, int? maxEvents)
    {
        public long Read { get; private set; }
        public long Written { get; private set; }
        public long FirstWritten { get; private set; }
        public long LastWritten { get; private set; }

        public async Task ExecuteAsync(
            ProvisioningService.ProvisioningServiceClient client,
            StreamProvisioningEventsRequest request,
            IEventWriter writer,
            Action<ProvisioningEvent> onRead,
            CancellationToken cancellationToken)
        {
            using var stream = client.StreamProvisioningEvents(request, cancellationToken: cancellationToken);
            try
            {
                await foreach (var e in stream.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    Read++;
                    onRead(e);
                    if (until is { } end && e.OccurredAt is not null && e.OccurredAt.ToDateTimeOffset() > end + UntilSlack) break;
                    // Every event goes through the filter (it learns workflow facts), even those already written.
                    if (!filter.Accept(e) || e.GlobalPosition <= writeAfter) continue;
                    writer.Write(e);
                    if (Written++ == 0) FirstWritten = e.GlobalPosition;
                    LastWritten = e.GlobalPosition;
                    if (Written % 1000 == 0) writer.Flush();
                    if (Written == maxEvents) break;
                }
            }
            finally
            {
                // Whatever was written stays a clean prefix for --resume, also on Ctrl+C.
                writer.Flush();
            }
        }
    }
}

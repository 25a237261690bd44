using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe campaign start|status|list|pause|resume|abort`: staged rollouts that stop themselves.</summary>
internal static class CampaignCommands
{
    public static Command Create(CliContext context) => new("campaign", "Staged rollout campaigns: a plan rolled out in waves that pauses itself when a stop rule trips")
    {
        Start(context), Status(context), List(context), Pause(context), Resume(context), Abort(context),
    };

    private static Command Start(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "What the campaign is called (also seeds its device order)", Required = true };
        var plan = new Option<string?>("--plan") { Description = "The plan every selected device is provisioned with (default: its own plan, as it is now)" };
        var selectPlan = new Option<string[]>("--select-plan") { Description = "Select devices on these plans", AllowMultipleArgumentsPerToken = true };
        var model = new Option<string[]>("--model") { Description = "Select devices of these product classes", AllowMultipleArgumentsPerToken = true };
        var firmware = new Option<string[]>("--firmware") { Description = "Select devices that last reported these firmware versions", AllowMultipleArgumentsPerToken = true };
        var location = new Option<string[]>("--location") { Description = "Select devices at these location ids", AllowMultipleArgumentsPerToken = true };
        var serials = new Option<string[]>("--serial") { Description = "Select these serial numbers", AllowMultipleArgumentsPerToken = true };
        var serialsFile = new Option<FileInfo?>("--serials-file") { Description = "Select the serial numbers in this file (one a line)" };
        var waves = new Option<string>("--waves") { Description = "Cumulative percentages, the last 100", DefaultValueFactory = _ => "1,10,50,100" };
        var concurrency = new Option<uint>("--concurrency") { Description = "Device workflows at once", DefaultValueFactory = _ => 10 };
        var maxFailureRate = new Option<double?>("--max-failure-rate") { Description = "Pause above this share of failed workflows (default 0.05)" };
        var faultCodes = new Option<uint[]>("--stop-on-fault") { Description = "Pause at the first failure with one of these fault codes", AllowMultipleArgumentsPerToken = true };
        var maxVerification = new Option<uint?>("--max-verification-failures") { Description = "Pause when more workflows than this end verification_failed" };
        var upgradeTo = new Option<string?>("--upgrade-firmware") { Description = "Instead of a plan: upgrade every selected device to this firmware version (with --image)" };
        var image = new Option<string?>("--image") { Description = "The image's http(s) URL, or the file name of an image in the orchestrator's Firmware:ImageFolder" };
        var imageSize = new Option<ulong>("--image-size") { Description = "The image's size in bytes (optional for a folder image)" };
        var imageSha256 = new Option<string?>("--image-sha256") { Description = "The image's SHA-256 (optional for a folder image)" };
        var profileTarget = new Option<bool>("--upgrade-to-profile-target") { Description = "Instead of a plan: upgrade every selected device to its model profile's firmware target" };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (the same one answers with the campaign it started)" };
        var watch = new Option<bool>("--watch") { Description = "Follow the campaign's progress until it ends or pauses" };
        var command = new Command("start", "Start a campaign (admin)")
        {
            name, plan, selectPlan, model, firmware, location, serials, serialsFile, waves, concurrency, maxFailureRate, faultCodes, maxVerification,
            upgradeTo, image, imageSize, imageSha256, profileTarget, requestId, watch,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var percents = new List<double>();
            foreach (var part in parse.GetRequiredValue(waves).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!double.TryParse(part.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
                    throw new CliException($"--waves: '{part}' is not a percentage");
                percents.Add(percent);
            }
            var selection = new CampaignSelection
            {
                ServicePlans = { parse.GetValue(selectPlan) ?? [] },
                ProductClasses = { parse.GetValue(model) ?? [] },
                FirmwareVersions = { parse.GetValue(firmware) ?? [] },
                LocationIds = { parse.GetValue(location) ?? [] },
                SerialNumbers = { parse.GetValue(serials) ?? [] },
            };
            if (parse.GetValue(serialsFile) is { } file)
            {
                if (!file.Exists) throw new CliException($"--serials-file: {file.FullName} does not exist");
                selection.SerialNumbers.AddRange((await File.ReadAllLinesAsync(file.FullName, cancellationToken)).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#'));
            }
            var rules = new CampaignStopRules { FaultCodes = { parse.GetValue(faultCodes) ?? [] } };
            if (parse.GetValue(maxFailureRate) is { } rate) rules.MaxFailureRate = rate;
            if (parse.GetValue(maxVerification) is { } most) rules.MaxVerificationFailures = most;
            var request = new StartCampaignRequest
            {
                Name = parse.GetRequiredValue(name),
                Selection = selection,
                ServicePlan = parse.GetValue(plan) ?? "",
                WavePercents = { percents },
                Concurrency = parse.GetValue(concurrency),
                StopRules = rules,
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
            };
            if (parse.GetValue(profileTarget)) request.Firmware = new CampaignFirmware { ModelProfileTarget = true };
            else if (parse.GetValue(upgradeTo) is { Length: > 0 } version)
            {
                if (parse.GetValue(image) is not { Length: > 0 } url) throw new CliException("--upgrade-firmware needs --image (a URL or a file of the image folder)");
                request.Firmware = new CampaignFirmware { Version = version, Url = url, FileSize = parse.GetValue(imageSize), Sha256 = parse.GetValue(imageSha256) ?? "" };
            }
            using var connection = context.Connect(parse);
            var campaign = await connection.Campaigns.StartCampaignAsync(request, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
            Print(context, campaign);
            return parse.GetValue(watch) ? await WatchAsync(context, connection, campaign.CampaignId, cancellationToken) : ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var id = CampaignId();
        var watch = new Option<bool>("--watch") { Description = "Follow the progress (a live bar) until it ends or pauses" };
        var command = new Command("status", "A campaign's state, waves and progress") { id, watch };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            if (parse.GetValue(watch)) return await WatchAsync(context, connection, parse.GetRequiredValue(id), cancellationToken);
            Print(context, await connection.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = parse.GetRequiredValue(id) },
                deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "Campaigns, newest first");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            var response = await connection.Campaigns.ListCampaignsAsync(new ListCampaignsRequest(), deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
            var table = new Table().AddColumns("campaign", "name", "state", "wave", "succeeded", "failed", "selected", "why");
            foreach (var c in response.Campaigns)
                table.AddRow(c.CampaignId, EventText.Cell(c.Name), StateName(c.State), $"{c.CurrentWave}/{c.Waves.Count}", $"{c.Progress.Succeeded}",
                    $"{c.Progress.Failed}", $"{c.Progress.Selected}", EventText.Cell(c.StateReason));
            context.Console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Pause(CliContext context) => Change(context, "pause", "Stop starting device workflows (those running end as they will)",
        (connection, id, reason, _, token) => connection.Campaigns.PauseCampaignAsync(new CampaignChangeRequest { CampaignId = id, Reason = reason }, deadline: ServerConnection.Deadline(), cancellationToken: token).ResponseAsync);

    private static Command Resume(CliContext context) => Change(context, "resume", "Go on where it stopped (--retry-failed: start the failed devices again)",
        (connection, id, reason, retry, token) => connection.Campaigns.ResumeCampaignAsync(new ResumeCampaignRequest { CampaignId = id, Reason = reason, RetryFailed = retry }, deadline: ServerConnection.Deadline(), cancellationToken: token).ResponseAsync,
        withRetry: true);

    private static Command Abort(CliContext context) => Change(context, "abort", "End the campaign for good",
        (connection, id, reason, _, token) => connection.Campaigns.AbortCampaignAsync(new CampaignChangeRequest { CampaignId = id, Reason = reason }, deadline: ServerConnection.Deadline(), cancellationToken: token).ResponseAsync);

    private static Command Change(CliContext context, string verb, string description,
        Func<ServerConnection, string, string, bool, CancellationToken, Task<Campaign>> call, bool withRetry = false)
    {
        var id = CampaignId();
        var reason = new Option<string>("--reason") { Description = "Why (kept in the campaign's events)", DefaultValueFactory = _ => "" };
        var retry = new Option<bool>("--retry-failed") { Description = "Start again the devices whose workflow failed" };
        var command = new Command(verb, description + " (admin)") { id, reason };
        if (withRetry) command.Options.Add(retry);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            Print(context, await call(connection, parse.GetRequiredValue(id), parse.GetValue(reason) ?? "", parse.GetValue(retry), cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Follows WatchCampaign with a progress bar; exits 0 when it completes, Failed when it pauses or is aborted.</summary>
    private static async Task<int> WatchAsync(CliContext context, ServerConnection connection, string id, CancellationToken cancellationToken)
    {
        using var call = connection.Campaigns.WatchCampaign(new GetCampaignRequest { CampaignId = id }, cancellationToken: cancellationToken);
        Campaign? last = null;
        await context.Console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                ProgressTask? bar = null;
                await foreach (var campaign in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    last = campaign;
                    bar ??= progress.AddTask(campaign.Name, maxValue: Math.Max(1, campaign.Progress.Selected));
                    bar.Value = campaign.Progress.Succeeded + campaign.Progress.Failed + campaign.Progress.Cancelled;
                    bar.Description = Markup.Escape($"{campaign.Name} wave {campaign.CurrentWave}/{campaign.Waves.Count} {StateName(campaign.State)} "
                        + $"ok {campaign.Progress.Succeeded} failed {campaign.Progress.Failed} running {campaign.Progress.Running}");
                    if (campaign.State == CampaignState.Paused && campaign.Progress.Running == 0) break;
                }
            });
        if (last is null) return ExitCodes.Failed;
        Print(context, last);
        return last.State == CampaignState.Completed ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static void Print(CliContext context, Campaign c)
    {
        context.Console.MarkupLine($"campaign [bold]{c.CampaignId}[/] {EventText.Cell(c.Name)}: {StateName(c.State)}"
            + (c.StateReason.Length > 0 ? $" ({EventText.Cell(c.StateReason)})" : ""));
        var p = c.Progress;
        context.Console.MarkupLine($"  {p.Selected} selected, {p.Started} started, {p.Running} running, {p.Succeeded} succeeded, {p.Failed} failed"
            + $" (failure rate {p.FailureRate.ToString("P1", CultureInfo.InvariantCulture)})");
        context.Console.MarkupLine("  waves: " + string.Join("  ", c.Waves.Select(w =>
            $"{w.Number}: {w.Percent.ToString(CultureInfo.InvariantCulture)}% ({w.Devices}){(w.Completed ? " done" : w.Number == c.CurrentWave ? " <-" : "")}")));
        foreach (var (result, count) in p.FailedByResult) context.Console.MarkupLine($"  failed {EventText.Cell(result)}: {count}");
        foreach (var (code, count) in p.FailedByFaultCode) context.Console.MarkupLine($"  fault {code}: {count}");
        if (c.Firmware is { } fw)
            context.Console.MarkupLine(EventText.Cell(fw.ModelProfileTarget ? "  upgrades firmware to each model profile's target" : $"  upgrades firmware to {fw.Version} ({fw.Url})"));
        else if (c.ServicePlan.Length > 0) context.Console.MarkupLine($"  provisions with plan {EventText.Cell(c.ServicePlan)}");
        if (c.TraceId.Length > 0) context.Console.MarkupLine($"  trace {c.TraceId}");
    }

    private static string StateName(CampaignState state) => state.ToString().ToLowerInvariant();

    private static Argument<string> CampaignId() => new("campaign") { Description = "Campaign id" };
}

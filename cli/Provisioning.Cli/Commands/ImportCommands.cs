using System.CommandLine;
using System.Text.RegularExpressions;
using Google.Rpc;
using Grpc.Core;
using Provisioning.Cli.Imports;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>
/// `cpe inventory import FILE.csv` and `cpe plans import FILE.yaml|json`: validate every row first, report
/// bad rows by line number and load nothing if any is bad; the load itself is one all-or-nothing call.
/// </summary>
internal static partial class ImportCommands
{
    public static Command Inventory(CliContext context)
    {
        var file = new Argument<string>("file") { Description = $"CSV with the header {string.Join(',', InventoryCsv.Columns)}" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate only; send nothing" };
        var import = new Command("import", "Load devices from a CSV file (all rows or none)") { file, dryRun };
        import.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            IReadOnlyList<ParsedDevice> devices;
            try
            {
                devices = InventoryCsv.Read(path);
            }
            catch (ImportRejectedException e)
            {
                return await Reject(context, e);
            }
            if (parse.GetValue(dryRun))
            {
                context.Console.MarkupLine(Markup.Escape($"{path}: {devices.Count} valid device(s); nothing sent (--dry-run)"));
                return ExitCodes.Success;
            }
            using var connection = context.Connect(parse);
            var request = new UpsertDevicesRequest();
            request.Devices.AddRange(devices.Select(d => d.Device));
            try
            {
                var response = await connection.Inventory.UpsertDevicesAsync(request,
                    deadline: ServerConnection.Deadline(TimeSpan.FromMinutes(2)), cancellationToken: cancellationToken);
                context.Console.MarkupLine(Markup.Escape($"loaded {response.Stored} device(s) from {path}"));
                return ExitCodes.Success;
            }
            catch (RpcException e) when (ServerRejection(e, "devices", index => index < devices.Count ? devices[index].Line : 0) is { } rejection)
            {
                return await Reject(context, new ImportRejectedException(path, rejection));
            }
        });
        return new Command("inventory", "Device inventory") { import };
    }

    public static Command Plans(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "YAML or JSON list of service plans (fields as in the API's ServicePlan), or a mapping with 'plans' and 'model_profiles' lists" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate only; send nothing" };
        var rollout = new Option<bool>("--rollout") { Description = "Then roll each plan out to the devices on it through a campaign (waves 1, 10, 50, 100 %; pauses itself above 5 % failures)" };
        var import = new Command("import", "Load service plans from a YAML or JSON file (all plans or none)") { file, dryRun, rollout };
        import.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            PlanFile planFile;
            try
            {
                planFile = ServicePlanFile.Read(path);
            }
            catch (ImportRejectedException e)
            {
                return await Reject(context, e);
            }
            var (plans, profiles) = (planFile.Plans, planFile.ModelProfiles);
            if (parse.GetValue(dryRun))
            {
                context.Console.MarkupLine(Markup.Escape($"{path}: {plans.Count} valid plan(s), {profiles.Count} model profile(s); nothing sent (--dry-run)"));
                return ExitCodes.Success;
            }
            using var connection = context.Connect(parse);
            try
            {
                if (plans.Count > 0)
                {
                    var request = new UpsertServicePlansRequest();
                    request.Plans.AddRange(plans.Select(p => p.Plan));
                    var response = await connection.Inventory.UpsertServicePlansAsync(request,
                        deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
                    context.Console.MarkupLine(Markup.Escape($"loaded {response.Stored} plan(s) from {path}: {string.Join(", ", plans.Select(p => p.Plan.Name))}"));
                    await PlanRollout.OfferAsync(context, connection, plans.Select(p => p.Plan.Name).ToList(), parse.GetValue(rollout), cancellationToken);
                }
            }
            catch (RpcException e) when (ServerRejection(e, "plans", index => index < plans.Count ? plans[index].Line : 0) is { } rejection)
            {
                return await Reject(context, new ImportRejectedException(path, rejection));
            }
            try
            {
                if (profiles.Count > 0)
                {
                    var request = new UpsertModelProfilesRequest();
                    request.Profiles.AddRange(profiles.Select(p => p.Profile));
                    var response = await connection.Inventory.UpsertModelProfilesAsync(request,
                        deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
                    context.Console.MarkupLine(Markup.Escape($"loaded {response.Stored} model profile(s) from {path}: {string.Join(", ", profiles.Select(p => p.Profile.Name))}"));
                }
                return ExitCodes.Success;
            }
            catch (RpcException e) when (ServerRejection(e, "profiles", index => index < profiles.Count ? profiles[index].Line : 0) is { } rejection)
            {
                return await Reject(context, new ImportRejectedException(path, rejection));
            }
        });
        return new Command("plans", "Service plans") { import };
    }

    private static async Task<int> Reject(CliContext context, ImportRejectedException rejected)
    {
        await context.Terminal.Error.WriteLineAsync($"cpe: {rejected.Message}");
        foreach (var problem in rejected.Problems) await context.Terminal.Error.WriteLineAsync($"  {problem}");
        return ExitCodes.Usage;
    }

    /// <summary>
    /// The server validated too and said which items it refused (rich error model, field "devices[3].oui"):
    /// name them by line like our own checks do. Null when the error carries no such detail.
    /// </summary>
    private static IReadOnlyList<ImportProblem>? ServerRejection(RpcException exception, string collection, Func<int, int> lineOfItem)
    {
        if (exception.StatusCode != StatusCode.InvalidArgument) return null;
        var badRequest = exception.GetRpcStatus()?.GetDetail<BadRequest>();
        if (badRequest is null || badRequest.FieldViolations.Count == 0) return null;
        return badRequest.FieldViolations.Select(violation =>
        {
            var match = ItemIndex().Match(violation.Field);
            var line = match.Success && match.Groups["collection"].Value == collection
                ? lineOfItem(int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture))
                : 0;
            return new ImportProblem(line, $"server: {violation.Field}: {violation.Description}");
        }).ToList();
    }

    [GeneratedRegex(@"^(?<collection>[a-z_]+)\[(?<index>\d+)\]")]
    private static partial Regex ItemIndex();
}

using System.CommandLine;
using Google.Protobuf;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe reboot|factory-reset|get|set|firmware upgrade`: one operation on one device, each a workflow of its own.</summary>
internal static class DeviceOperationCommands
{
    public static Command Reboot(CliContext context) =>
        Operation(context, "reboot", "Reboot a device (a workflow: authenticate, reboot)",
            (_, connection, request, cancellationToken) => connection.Provisioning.RebootDeviceAsync(request, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken).ResponseAsync);

    public static Command FactoryReset(CliContext context)
    {
        var yes = new Option<bool>("--yes") { Description = "Confirm: the device loses its settings (and is provisioned again when it comes back)" };
        var command = Operation(context, "factory-reset", "Reset a device to factory settings (a workflow: authenticate, factory_reset)",
            (_, connection, request, cancellationToken) => connection.Provisioning.FactoryResetDeviceAsync(request, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken).ResponseAsync,
            parse => parse.GetValue(yes) ? null : "factory-reset erases the device's settings: pass --yes to confirm");
        command.Options.Add(yes);
        return command;
    }

    public static Command Get(CliContext context)
    {
        var serial = new Argument<string>("serial") { Description = "Device serial number" };
        var names = new Argument<string[]>("parameter") { Description = "Parameter names, or partial paths ending in '.'", Arity = ArgumentArity.OneOrMore };
        var requestId = RequestId();
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the device", DefaultValueFactory = _ => 120 };
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("get", "A live read of a device's parameters (GetParameterValues / USP Get), recorded as a workflow")
        {
            serial, names, requestId, timeout, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            var request = new GetDeviceParametersRequest { SerialNumber = parse.GetRequiredValue(serial), RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString() };
            request.ParameterNames.AddRange(parse.GetRequiredValue(names));
            var response = await connection.Provisioning.GetDeviceParametersAsync(request,
                deadline: ServerConnection.Deadline(TimeSpan.FromSeconds(parse.GetValue(timeout))), cancellationToken: cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await context.Terminal.Out.WriteLineAsync(new JsonFormatter(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true)).Format(response));
            }
            else
            {
                foreach (var value in response.Values) context.Console.MarkupLine(EventText.Cell($"{value.Name} = {value.Value}"));
                context.Console.MarkupLine(WorkflowFollower.Summary(response.Workflow));
            }
            return response.Workflow.Result == WorkflowResult.Success ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    public static Command Set(CliContext context)
    {
        var assignments = new Argument<string[]>("assignment")
        {
            Description = "name=value, or name=value:type with type one of " + string.Join(", ", Assignment.TypeNames) + " (default string)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = Operation(context, "set", "Write parameters to a device (SetParameterValues / USP Set; admin, audited)",
            (parse, connection, operation, cancellationToken) =>
            {
                var request = new SetDeviceParametersRequest { SerialNumber = operation.SerialNumber, RequestId = operation.RequestId };
                request.Parameters.AddRange(parse.GetRequiredValue(assignments).Select(Assignment.Parse));
                return connection.Provisioning.SetDeviceParametersAsync(request, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken).ResponseAsync;
            },
            parse => parse.GetRequiredValue(assignments).Select(Assignment.Problem).FirstOrDefault(p => p is not null));
        command.Arguments.Add(assignments);
        return command;
    }

    /// <summary>`cpe firmware upgrade SN`: to the image named, or to the model profile's firmware target when none is.</summary>
    public static Command Firmware(CliContext context)
    {
        var version = new Option<string?>("--version") { Description = "The version the image installs (with --url)" };
        var url = new Option<string?>("--url") { Description = "The image's absolute http:// or https:// URL (with --version)" };
        var size = new Option<ulong>("--size") { Description = "The image's size in bytes" };
        var sha256 = new Option<string?>("--sha256") { Description = "The image's SHA-256 (64 hexadecimal digits)" };
        var upgrade = Operation(context, "upgrade",
            "Upgrade a device's firmware (a workflow: authenticate, upgrade_firmware); without --version/--url, to its model profile's firmware target",
            (parse, connection, operation, cancellationToken) =>
            {
                var request = new UpgradeFirmwareRequest
                {
                    SerialNumber = operation.SerialNumber,
                    RequestId = operation.RequestId,
                    Version = parse.GetValue(version) ?? "",
                    Url = parse.GetValue(url) ?? "",
                    FileSize = parse.GetValue(size),
                    Sha256 = parse.GetValue(sha256) ?? "",
                };
                return connection.Provisioning.UpgradeFirmwareAsync(request, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken).ResponseAsync;
            },
            parse => FirmwareProblem(parse.GetValue(version), parse.GetValue(url), parse.GetValue(size), parse.GetValue(sha256)));
        upgrade.Options.Add(version);
        upgrade.Options.Add(url);
        upgrade.Options.Add(size);
        upgrade.Options.Add(sha256);
        return new Command("firmware", "Device firmware") { upgrade };
    }

    /// <summary>Checked before anything is sent (the server checks the same).</summary>
    private static string? FirmwareProblem(string? version, string? url, ulong size, string? sha256)
    {
        var named = !string.IsNullOrEmpty(version) || !string.IsNullOrEmpty(url) || size > 0 || !string.IsNullOrEmpty(sha256);
        if (!named) return null;
        if (string.IsNullOrWhiteSpace(version) || string.IsNullOrWhiteSpace(url))
            return "--version and --url go together (or neither, for the model profile's firmware target)";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.UserInfo.Length > 0)
            return $"--url '{url}' is not an absolute http:// or https:// URL without credentials";
        if (!string.IsNullOrEmpty(sha256) && (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit)))
            return "--sha256 must be 64 hexadecimal digits";
        return null;
    }

    private static Option<string?> RequestId() =>
        new("--request-id") { Description = "Idempotency key (default: a new GUID); repeating it returns the same workflow" };

    /// <summary>The shape every operation shares: a serial, a request id, --wait showing the steps, exit by the workflow's result.</summary>
    private static Command Operation(CliContext context, string name, string description,
        Func<ParseResult, ServerConnection, DeviceOperationRequest, CancellationToken, Task<DeviceOperationResponse>> call,
        Func<ParseResult, string?>? refuse = null)
    {
        var serial = new Argument<string>("serial") { Description = "Device serial number" };
        var requestId = RequestId();
        var wait = new Option<bool>("--wait") { Description = "Wait for the workflow to end, showing each step as it happens" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 300 };
        var command = new Command(name, description) { serial, requestId, wait, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (refuse?.Invoke(parse) is { } problem) throw new CliException(problem, ExitCodes.Usage);
            using var connection = context.Connect(parse);
            var request = new DeviceOperationRequest { SerialNumber = parse.GetRequiredValue(serial), RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString() };
            var response = await call(parse, connection, request, cancellationToken);
            var workflow = response.Workflow;
            var note = response.Replayed ? " (request id seen before: this is the workflow it started)" : "";
            context.Console.MarkupLine(Markup.Escape($"{name} workflow {workflow.WorkflowId} for {request.SerialNumber}{note}"));
            if (!parse.GetValue(wait)) return ExitCodes.Success;
            return await WorkflowFollower.FollowAsync(
                connection, context.Console, workflow.WorkflowId, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
        });
        return command;
    }
}

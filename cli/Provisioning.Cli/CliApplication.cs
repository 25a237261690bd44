using System.CommandLine;
using Grpc.Core;
using Provisioning.Cli.Commands;
using Provisioning.Cli.Server;

namespace Provisioning.Cli;

/// <summary>The `cpe` tool: builds the command tree and runs one command line.</summary>
public static class CliApplication
{
    public const string DefaultServer = "http://127.0.0.1:50051";
    public const string ServerVariable = "CPE_SERVER";
    public const string TokenVariable = "CPE_TOKEN";
    public const string DebugVariable = "CPE_DEBUG";

    public static Task<int> RunAsync(string[] args, CliTerminal terminal) => RunAsync(args, terminal, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, CliTerminal terminal, CancellationToken cancellationToken)
    {
        var server = new Option<string>("--server")
        {
            Description = $"Orchestrator gRPC address (env {ServerVariable}, default {DefaultServer})",
            Recursive = true,
            DefaultValueFactory = _ => terminal.Environment(ServerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultServer,
        };
        // No DefaultValueFactory: help would print the token taken from the environment.
        var token = new Option<string?>("--token")
        {
            Description = $"API key or JWT sent as 'authorization: Bearer <token>' (env {TokenVariable}; else the admin key in {LocalKeyFile.DefaultPath} that a local orchestrator generates)",
            Recursive = true,
        };
        var context = new CliContext(terminal, server, token);
        var root = new RootCommand("cpe: provision CPEs, follow and replay provisioning events, report failures, load inventory.")
        {
            server,
            token,
            ProvisionCommand.Create(context),
            WatchCommand.Create(context),
            ReplayCommand.Create(context),
            FailuresCommand.Create(context),
            DeviceCommand.Create(context),
            DeviceOperationCommands.Reboot(context),
            DeviceOperationCommands.FactoryReset(context),
            DeviceOperationCommands.Get(context),
            DeviceOperationCommands.Set(context),
            DeviceOperationCommands.Firmware(context),
            WorkflowCommands.Retry(context),
            WorkflowCommands.Cancel(context),
            AdminCommands.RebuildProjections(context),
            CampaignCommands.Create(context),
            ImportCommands.Inventory(context),
            ImportCommands.Plans(context),
            DemoCommand.Create(context),
        };

        try
        {
            return await RunParsedAsync(root.Parse(args), terminal, context, cancellationToken);
        }
        finally
        {
            await terminal.Out.FlushAsync(CancellationToken.None);
        }
    }

    private static async Task<int> RunParsedAsync(ParseResult parse, CliTerminal terminal, CliContext context, CancellationToken cancellationToken)
    {
        if (parse.Errors.Count > 0)
        {
            await terminal.Error.WriteLineAsync($"cpe: {parse.Errors[0].Message} (see 'cpe --help')");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = terminal.Out,
                Error = terminal.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = terminal.HandleCtrlC ? TimeSpan.FromSeconds(2) : null,
            }, cancellationToken);
        }
        catch (CliException e)
        {
            return await Fail(terminal, e.Message, e.ExitCode);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            return await Fail(terminal, "interrupted", ExitCodes.Interrupted);
        }
        catch (RpcException e)
        {
            var (message, exitCode) = RpcErrors.Describe(e, context.ServerAddress);
            return await Fail(terminal, message, exitCode);
        }
        catch (OperationCanceledException)
        {
            return await Fail(terminal, "interrupted", ExitCodes.Interrupted);
        }
        catch (IOException e)
        {
            return await Fail(terminal, e.Message, ExitCodes.Usage);
        }
        catch (UnauthorizedAccessException e)
        {
            return await Fail(terminal, e.Message, ExitCodes.Usage);
        }
        catch (Exception e)
        {
            // A bug of ours: still one line, with the details on request.
            if (terminal.Environment(DebugVariable) is { Length: > 0 }) await terminal.Error.WriteLineAsync(e.ToString());
            return await Fail(terminal, $"unexpected error: {e.Message} (set {DebugVariable}=1 for details)", ExitCodes.Failed);
        }
    }

    private static async Task<int> Fail(CliTerminal terminal, string message, int exitCode)
    {
        await terminal.Error.WriteLineAsync($"cpe: {message}");
        return exitCode;
    }
}

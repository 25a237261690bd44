using System.CommandLine;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe rebuild-projections`: rebuild the read models from the event store (admin).</summary>
internal static class AdminCommands
{
    public static Command RebuildProjections(CliContext context)
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the rebuild", DefaultValueFactory = _ => 600 };
        var command = new Command("rebuild-projections", "Rebuild every projection from the stored events (admin)") { timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            var response = await context.Console.Status().StartAsync("rebuilding projections...", _ =>
                connection.Inventory.RebuildProjectionsAsync(new RebuildProjectionsRequest(),
                    deadline: ServerConnection.Deadline(TimeSpan.FromSeconds(parse.GetValue(timeout))),
                    cancellationToken: cancellationToken).ResponseAsync);
            context.Console.MarkupLine(Markup.Escape(
                $"rebuilt {response.Projections.Count} projection(s) from {response.EventsProcessed} event(s): {string.Join(", ", response.Projections)}"));
            return ExitCodes.Success;
        });
        return command;
    }
}

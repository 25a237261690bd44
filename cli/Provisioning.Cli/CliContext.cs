using System.CommandLine;
using Provisioning.Cli.Server;
using Spectre.Console;

namespace Provisioning.Cli;

/// <summary>What every command needs: the terminal and a connection built from the global options.</summary>
public sealed class CliContext(CliTerminal terminal, Option<string> server, Option<string?> token)
{
    public CliTerminal Terminal => terminal;
    public IAnsiConsole Console => terminal.Console;

    /// <summary>The address of the last connection opened, for error messages.</summary>
    public Uri? ServerAddress { get; private set; }

    public ServerConnection Connect(ParseResult parse)
    {
        var connection = ServerConnection.Open(
            parse.GetRequiredValue(server),
            parse.GetValue(token) ?? terminal.Environment(CliApplication.TokenVariable));
        ServerAddress = connection.Address;
        return connection;
    }
}

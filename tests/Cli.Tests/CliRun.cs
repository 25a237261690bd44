namespace Provisioning.Cli.Tests;

/// <summary>What one in-process run of `cpe` printed: human console, machine stdout, stderr.</summary>
public sealed record CliRun(int ExitCode, string Console, string Out, string Error)
{
    public static async Task<CliRun> ExecuteAsync(
        string[] args,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default,
        bool interactive = false)
    {
        var console = new StringWriter();
        var output = new StringWriter();
        var error = new StringWriter();
        var terminal = new CliTerminal(
            interactive ? TerminalConsole(console) : CliTerminal.PlainConsole(console),
            output,
            error,
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);
        var exitCode = await CliApplication.RunAsync(args, terminal, cancellationToken);
        return new CliRun(exitCode, console.ToString(), output.ToString(), error.ToString());
    }

    /// <summary>A console that behaves like a terminal (live progress), captured as text.</summary>
    private static Spectre.Console.IAnsiConsole TerminalConsole(TextWriter writer)
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(writer),
            Ansi = Spectre.Console.AnsiSupport.Yes,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
            Interactive = Spectre.Console.InteractionSupport.Yes,
        });
        console.Profile.Width = 160;
        return console;
    }

    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

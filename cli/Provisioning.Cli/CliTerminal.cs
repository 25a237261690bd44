using Spectre.Console;

namespace Provisioning.Cli;

/// <summary>
/// Where a command writes: <see cref="Console"/> for people (tables, progress, event lines),
/// <see cref="Out"/> for machine-readable output (JSON Lines, CSV, JSON), <see cref="Error"/> for the
/// one-line error. Tests pass string writers; the real tool passes the process's streams.
/// </summary>
public sealed record CliTerminal(
    IAnsiConsole Console,
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> Environment,
    bool HandleCtrlC = false)
{
    public static CliTerminal System => new(
        ProcessConsole(),
        global::System.Console.Out,
        global::System.Console.Error,
        global::System.Environment.GetEnvironmentVariable,
        HandleCtrlC: true);

    private static IAnsiConsole ProcessConsole()
    {
        var console = AnsiConsole.Console;
        // Piped into a file or a pager there is no terminal width to respect: don't wrap tables at 80.
        if (global::System.Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 200);
        return console;
    }

    /// <summary>A plain (no colour, no cursor tricks) console writing to <paramref name="writer"/>.</summary>
    public static IAnsiConsole PlainConsole(TextWriter writer, int width = 240)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Wide enough that tables don't wrap trace ids and reasons mid-word.
        console.Profile.Width = width;
        return console;
    }
}

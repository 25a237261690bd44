namespace Provisioning.Cli;

/// <summary>A failure the user can act on: printed as one line on stderr, never with a stack trace.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Usage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Process exit codes, stable for scripts.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The command ran but its outcome was a failure (e.g. the workflow it waited for failed).</summary>
    public const int Failed = 1;
    /// <summary>Bad arguments or a malformed / invalid input file; nothing was sent.</summary>
    public const int Usage = 2;
    /// <summary>The server could not be reached (or did not answer in time).</summary>
    public const int Unreachable = 3;
    /// <summary>The server rejected the call (invalid argument, not found, permission, ...).</summary>
    public const int Rejected = 4;
    /// <summary>Interrupted (Ctrl+C) before the command finished.</summary>
    public const int Interrupted = 130;
}

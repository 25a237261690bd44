namespace Provisioning.Cli.Imports;

/// <summary>One thing wrong with an input file, by line number (1 = the first line of the file).</summary>
public sealed record ImportProblem(int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>
/// Thrown when a file has bad rows: the command prints them all and loads nothing.
/// </summary>
public sealed class ImportRejectedException(string file, IReadOnlyList<ImportProblem> problems)
    : Exception($"{file}: {problems.Count} bad row(s), nothing loaded")
{
    public IReadOnlyList<ImportProblem> Problems { get; } = problems;
}

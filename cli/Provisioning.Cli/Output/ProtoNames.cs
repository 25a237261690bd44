using Provisioning.Contracts.Naming;

namespace Provisioning.Cli.Output;

/// <summary>The contract's wire names (<see cref="WireNames"/>), with the CLI's usage error for a name it does not know.</summary>
public static class ProtoNames
{
    public static string Short<T>(T value) where T : struct, Enum => WireNames.Short(value);

    public static T Parse<T>(string text, string what) where T : struct, Enum =>
        WireNames.TryParse<T>(text, out var value)
            ? value
            : throw new CliException($"{what} '{text}' is not one of: {string.Join(", ", WireNames.Names<T>())}");

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum => WireNames.TryParse(text, out value);

    public static IEnumerable<string> Names<T>() where T : struct, Enum => WireNames.Names<T>();
}

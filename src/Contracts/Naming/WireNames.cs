using Google.Protobuf.Reflection;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Contracts.Naming;

/// <summary>
/// Short lowercase names for the API's enums, as analysts and metrics see them:
/// WORKFLOW_RESULT_CONFIG_PUSH_FAILED is "config_push_failed", UNSPECIFIED is "". One spelling for every client of the
/// contract (the CLI, the benchmark's JSON); the orchestrator's own table is checked against it (WorkflowNamesTests).
/// </summary>
public static class WireNames
{
    private static readonly Dictionary<Type, EnumDescriptor> Descriptors = ProvisioningReflection.Descriptor.EnumTypes
        .Concat(Contracts.Common.CommonReflection.Descriptor.EnumTypes)
        .ToDictionary(descriptor => descriptor.ClrType);

    public static string Short<T>(T value) where T : struct, Enum
    {
        var descriptor = Descriptors[typeof(T)];
        var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        if (number == 0) return "";
        var name = descriptor.FindValueByNumber(number)?.Name;
        return name is null ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : name[Prefix(descriptor).Length..].ToLowerInvariant();
    }

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        var descriptor = Descriptors[typeof(T)];
        var wanted = text.Trim();
        if (wanted.Length == 0)
        {
            value = default;
            return true;
        }
        foreach (var candidate in descriptor.Values.Where(v => v.Number != 0))
        {
            if (string.Equals(candidate.Name, wanted, StringComparison.OrdinalIgnoreCase)
                || string.Equals(candidate.Name[Prefix(descriptor).Length..], wanted.Replace('-', '_'), StringComparison.OrdinalIgnoreCase))
            {
                value = (T)Enum.ToObject(typeof(T), candidate.Number);
                return true;
            }
        }
        value = default;
        return false;
    }

    public static IEnumerable<string> Names<T>() where T : struct, Enum
    {
        var descriptor = Descriptors[typeof(T)];
        return descriptor.Values.Where(v => v.Number != 0).Select(v => v.Name[Prefix(descriptor).Length..].ToLowerInvariant());
    }

    // Every enum of the contract starts with <NAME>_UNSPECIFIED = 0.
    private static string Prefix(EnumDescriptor descriptor) => descriptor.Values[0].Name[..^"UNSPECIFIED".Length];
}

using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Imports;

/// <summary>What makes a model profile usable, checked before a file is loaded (the server checks the paths in full).</summary>
public static class ModelProfileRules
{
    public static IEnumerable<string> Check(ModelProfile profile)
    {
        if (profile.Name.Length == 0) yield return "name is empty";
        if (profile.Manufacturer.Trim().Length == 0) yield return "manufacturer is empty";
        if (profile.Model.Trim().Length == 0) yield return "model is empty";
        foreach (var mapping in profile.Mappings)
        {
            if (mapping.From.Trim().Length == 0 || mapping.To.Trim().Length == 0) yield return "a mapping needs both from and to";
            else if (mapping.From.Trim().EndsWith('.') != mapping.To.Trim().EndsWith('.'))
                yield return $"mapping '{mapping.From}' → '{mapping.To}': both must name objects (end in '.') or neither";
        }
        foreach (var omitted in profile.Omit)
            if (omitted.Trim().Length == 0) yield return "omit lists an empty path";
    }
}

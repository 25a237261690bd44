using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// Compares what was pushed with what the device reads back. Booleans compare by meaning ("1" = "true");
/// a secret that reads back empty is accepted (TR-069 hides passwords on read); mismatched secrets are
/// reported redacted.
/// </summary>
public static class VerificationComparer
{
    public static IReadOnlyList<VerificationMismatchRecord> Compare(
        IReadOnlyList<ProfileParameter> expected, IReadOnlyDictionary<string, string> actual)
    {
        var mismatches = new List<VerificationMismatchRecord>();
        foreach (var parameter in expected)
        {
            var found = actual.TryGetValue(parameter.Name, out var value);
            if (parameter.Secret)
            {
                if (found && (value!.Length == 0 || value == parameter.Value)) continue;
                mismatches.Add(new(parameter.Name, PushedParameter.Redacted, found ? PushedParameter.Redacted : "<missing>"));
                continue;
            }
            if (found && Same(parameter, value!)) continue;
            mismatches.Add(new(parameter.Name, parameter.Value, found ? DeviceText.Printable(value!) : "<missing>"));
        }
        return mismatches;
    }

    private static bool Same(ProfileParameter parameter, string actual)
    {
        if (parameter.Type == Contracts.Common.ParameterType.Boolean)
        {
            return Normalise(parameter.Value) == Normalise(actual);
        }
        return string.Equals(parameter.Value, actual.Trim(), StringComparison.Ordinal);
    }

    private static string Normalise(string boolean) => boolean.Trim().ToLowerInvariant() switch
    {
        "1" or "true" => "true",
        "0" or "false" => "false",
        var other => other,
    };
}

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// Where one device model keeps what a plan renders, and what it lacks (kept with the plans, in Marten, by name).
/// A vendor TR-098 model with its WPA key at PreSharedKey.1.PreSharedKey and no Layer2Bridging is described here,
/// instead of in a plan's extra_parameters, so secrets stay masked and the plan stays one for every model.
/// </summary>
public sealed record ModelProfileDocument
{
    public string Id { get; init; } = "";
    public string Description { get; init; } = "";
    public string Manufacturer { get; init; } = "";
    public string Model { get; init; } = "";
    public string FirmwarePrefix { get; init; } = "";
    public IReadOnlyList<ParameterMove> Mappings { get; init; } = [];
    public IReadOnlyList<string> Omit { get; init; } = [];
    /// <summary>The firmware this model's devices should run (null: none named, no upgrade).</summary>
    public ModelFirmware? Firmware { get; init; }

    public string Name => Id;

    private (List<ParameterPathPattern> Omit, List<(ParameterPathPattern From, ParameterPathPattern To)> Moves)? _patterns;

    /// <summary>Whether this profile is for the device that authenticated as <paramref name="manufacturer"/> / <paramref name="model"/>.</summary>
    public bool Matches(string? manufacturer, string? model, string? firmware) =>
        string.Equals(Manufacturer.Trim(), manufacturer?.Trim(), StringComparison.OrdinalIgnoreCase)
        && string.Equals(Model.Trim(), model?.Trim(), StringComparison.OrdinalIgnoreCase)
        && (FirmwarePrefix.Length == 0 || (firmware ?? "").StartsWith(FirmwarePrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The rendered parameters as this model takes them: omitted ones dropped, mapped ones renamed (kind and secrecy kept).</summary>
    public IReadOnlyList<ProfileParameter> Apply(IReadOnlyList<ProfileParameter> parameters)
    {
        // Parsed once per loaded profile (the catalog keeps the instance), not once per push.
        var (omit, moves) = _patterns ??= (
            Omit.Select(o => new ParameterPathPattern(o)).ToList(),
            Mappings.Select(m => (From: new ParameterPathPattern(m.From), To: new ParameterPathPattern(m.To))).ToList());
        var result = new List<ProfileParameter>(parameters.Count);
        foreach (var parameter in parameters)
        {
            if (omit.Any(o => o.TryMatch(parameter.Name, out _, out _))) continue;
            var moved = parameter;
            foreach (var (from, to) in moves)
            {
                if (!from.TryMatch(parameter.Name, out var instances, out var rest)) continue;
                moved = parameter with { Name = to.Fill(instances, rest) };
                break;
            }
            result.Add(moved);
        }
        return result;
    }

    /// <summary>The profile for a device: among the matching ones, the one naming the longest firmware prefix.</summary>
    public static ModelProfileDocument? For(IEnumerable<ModelProfileDocument> profiles, string? manufacturer, string? model, string? firmware) =>
        profiles.Where(p => p.Matches(manufacturer, model, firmware))
            .OrderByDescending(p => p.FirmwarePrefix.Length).ThenBy(p => p.Id, StringComparer.Ordinal)
            .FirstOrDefault();
}

public sealed record ParameterMove(string From, string To);

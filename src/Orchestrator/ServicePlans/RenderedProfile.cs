namespace Provisioning.Orchestrator.ServicePlans;

public sealed record RenderedProfile(
    string PlanName,
    IReadOnlyList<ProfileParameter> Parameters,
    bool HasVoip,
    bool HasIptv,
    IReadOnlyList<string> WifiBands)
{
    /// <summary>The model profile that moved or left out some of the parameters, if one applied.</summary>
    public string? ModelProfile { get; init; }
}

namespace Provisioning.Orchestrator.ServicePlans;

public sealed record RenderedProfile(
    string PlanName,
    IReadOnlyList<ProfileParameter> Parameters,
    bool HasVoip,
    bool HasIptv,
    IReadOnlyList<string> WifiBands);

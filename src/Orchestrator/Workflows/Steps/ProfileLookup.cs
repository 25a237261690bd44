using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// What loading a workflow's profile found: the rendered profile, or what was missing. Loading reports; what a missing
/// profile means for the workflow is <see cref="WorkflowDecision.WithoutProfile"/>'s to say.
/// </summary>
public sealed record ProfileLookup(RenderedProfile? Profile, string PlanName, ProfileMissing Missing = ProfileMissing.None, string? Detail = null)
{
    public static ProfileLookup Found(RenderedProfile profile) => new(profile, profile.PlanName);
}

public enum ProfileMissing
{
    None,
    /// <summary>The device has no plan in the inventory and the request named none.</summary>
    NoPlanAssigned,
    PlanNotFound,
    /// <summary>The plan exists but cannot be rendered for this device (<see cref="ProfileLookup.Detail"/> says why).</summary>
    NotRenderable,
}

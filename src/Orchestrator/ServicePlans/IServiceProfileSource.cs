namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// The BSS seen from the orchestrator: the customer's service plan by name. Pluggable; the default keeps
/// plans in Marten (<see cref="MartenServiceProfileSource"/>).
/// </summary>
public interface IServiceProfileSource
{
    Task<ServicePlanDocument?> FindPlanAsync(string planName, CancellationToken cancellationToken);
}

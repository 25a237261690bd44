using Marten;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>The default BSS: plans kept in Marten, their secrets opened for the push.</summary>
public sealed class MartenServiceProfileSource(IDocumentStore store, PlanSecrets secrets) : IServiceProfileSource
{
    public async Task<ServicePlanDocument?> FindPlanAsync(string planName, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var plan = await session.LoadAsync<ServicePlanDocument>(planName, cancellationToken);
        return plan is null ? null : secrets.Open(plan);
    }
}

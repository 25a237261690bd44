using Marten;

namespace Provisioning.Orchestrator.ServicePlans;

public sealed class MartenServiceProfileSource(IDocumentStore store) : IServiceProfileSource
{
    public async Task<ServicePlanDocument?> FindPlanAsync(string planName, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ServicePlanDocument>(planName, cancellationToken);
    }
}

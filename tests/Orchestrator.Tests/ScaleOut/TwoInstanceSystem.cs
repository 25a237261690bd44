using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.ScaleOut;

/// <summary>
/// Two orchestrator instances (orchestrator-a and orchestrator-b) on one fresh database, both electing the async
/// projections' daemon, with one scripted adapter: the set-up of the scale-out tests.
/// </summary>
public abstract class TwoInstanceSystem : IAsyncLifetime
{
    protected ScriptedAdapter Adapter { get; private set; } = null!;
    protected SystemUnderTest First { get; private set; } = null!;
    protected SystemUnderTest Second { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Adapter = await ScriptedAdapter.StartAsync();
        var first = OrchestratorFixture.Settings(Adapter);
        first["Coordination:InstanceId"] = "orchestrator-a";
        first["Store:ProjectionDaemon"] = "Elected";
        First = await SystemUnderTest.StartAsync(first);
        var second = OrchestratorFixture.Settings(Adapter);
        second["Coordination:InstanceId"] = "orchestrator-b";
        second["Store:ProjectionDaemon"] = "Elected";
        second["ConnectionStrings:Marten"] = First.ConnectionString;
        Second = await SystemUnderTest.StartAsync(second);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
        await Adapter.DisposeAsync();
    }
}

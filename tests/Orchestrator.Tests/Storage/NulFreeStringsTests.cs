using Marten;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Extensions;
using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Storage;

public sealed class NulFreeStringsTests
{
    [Fact]
    public async Task An_event_carrying_a_NUL_is_stored_without_it_instead_of_failing_the_append()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("nul");
        await using var store = DocumentStore.For(o => StoreExtensions.ConfigureProvisioningStore(o, connectionString));
        var stream = Guid.NewGuid();
        var failed = new ProvisioningFailed("SN-NUL", WorkflowResult.ConfigPushFailed, WorkflowStep.PushConfig, "push_config: bad\0value", 7012,
            "bad\0value", [new ParameterFaultRecord("Device.X\0", 7012, "\0")], [], 10, "M\0", null, null, TraceRef.None);

        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(stream, failed);
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession();
        var stored = (ProvisioningFailed)(await query.Events.FetchStreamAsync(stream)).Single().Data;
        Assert.Equal("push_config: badvalue", stored.Reason);
        Assert.Equal("Device.X", stored.ParameterFaults[0].Name);
        Assert.Equal("M", stored.Model);
    }
}

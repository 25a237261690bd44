using Npgsql;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>
/// The store failing a step's read transiently (here: the connection serving fetch_profile is terminated while it
/// waits, as a restart or failover would do) must not end the workflow nor drop it: the
/// read is tried again (Marten's read resilience pipeline).
/// </summary>
[Collection(nameof(OrchestratorCollection))]
public sealed class StoreInterruptionTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task A_step_whose_store_connection_is_killed_runs_again_and_the_workflow_succeeds()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());
        await using var blocker = new NpgsqlConnection(fixture.System.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        // fetch_profile reads the service plan: hold its table so that read waits where it can be found and killed.
        await Execute(blocker, "lock table provisioning.mt_doc_serviceplandocument in access exclusive mode", transaction);

        var workflowId = (await fixture.ProvisionAsync(serial)).Workflow.WorkflowId;
        var killed = false;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !killed && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            killed = await Execute(blocker, """
                select count(pg_terminate_backend(l.pid)) > 0 from pg_locks l
                where l.relation = 'provisioning.mt_doc_serviceplandocument'::regclass and not l.granted and l.pid <> pg_backend_pid()
                """, transaction) is true;
        }
        Assert.True(killed, "fetch_profile never waited on the service plan table");
        await transaction.CommitAsync();

        var workflow = await fixture.System.WaitForTerminalAsync(workflowId);
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var events = await fixture.System.EventsAsync(workflowId);
        Assert.DoesNotContain(events, e => e.EventType == "workflow_resumed");
    }

    private static async Task<object?> Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync();
    }
}

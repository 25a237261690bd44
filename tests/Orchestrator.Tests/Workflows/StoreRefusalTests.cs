using Npgsql;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>
/// The store refusing a step's events for good (here: a trigger that raises for them) must not leave the workflow
/// running forever: it ends with a failure that carries nothing of the refused events.
/// </summary>
public sealed class StoreRefusalTests : IAsyncLifetime
{
    private readonly OrchestratorFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();
    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task A_step_whose_events_the_store_refuses_ends_the_workflow_failed_instead_of_running_forever()
    {
        // A normal workflow first: the event tables exist, and the refusal below is aimed at one event only.
        var normal = await _fixture.RegisterAsync(new DeviceScript());
        Assert.Equal(WorkflowResult.Success, (await _fixture.System.WaitForTerminalAsync((await _fixture.ProvisionAsync(normal)).Workflow.WorkflowId)).Result);
        await using (var connection = new NpgsqlConnection(_fixture.System.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                create function provisioning.refuse_marked_events() returns trigger language plpgsql as $$
                begin
                  if new.data::text like '%REFUSE-ME%' then raise exception 'refused by the test'; end if;
                  return new;
                end $$;
                create trigger refuse_marked_events before insert on provisioning.mt_events
                  for each row execute function provisioning.refuse_marked_events();
                """, connection);
            await command.ExecuteNonQueryAsync();
        }

        var serial = await _fixture.RegisterAsync(new DeviceScript { Model = "REFUSE-ME" });
        var workflow = await _fixture.System.WaitForTerminalAsync((await _fixture.ProvisionAsync(serial)).Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.DeviceUnreachable, workflow.Result);
        Assert.Equal(WorkflowStep.Authenticate, workflow.FailedStep);
        Assert.Contains("the store refused this step's events", workflow.FailureReason);
        var events = await _fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["provisioning_requested", "provisioning_failed"], events.Select(e => e.EventType));
    }
}

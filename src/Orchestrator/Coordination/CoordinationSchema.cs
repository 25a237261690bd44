using Npgsql;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// The few tables and functions orchestrator instances coordinate through, next to Marten's: workflow leases, the
/// lease check used inside every append (fencing), and the trigger that NOTIFYs live followers of new events.
/// Runs after Marten has created its schema (hosted services start in order).
/// </summary>
public sealed class CoordinationSchema(NpgsqlDataSource dataSource) : IHostedService
{
    public const string EventsChannel = "cpe_events";
    public const string LeaseLostMessage = "lease lost";

    private const string Sql = """
        create table if not exists provisioning.cpe_workflow_leases (
            workflow_id uuid primary key,
            owner text not null,
            expires_at timestamptz not null);
        create index if not exists cpe_workflow_leases_owner on provisioning.cpe_workflow_leases (owner);

        -- A procedure, so CALLing it inside a Marten batch adds no result set.
        create or replace procedure provisioning.cpe_assert_lease(wid uuid, me text) language plpgsql as $$
        begin
            if not exists (select 1 from provisioning.cpe_workflow_leases where workflow_id = wid and owner = me) then
                raise exception 'lease lost: workflow % is not held by %', wid, me;
            end if;
        end $$;

        create or replace function provisioning.cpe_notify_events() returns trigger language plpgsql as $$
        begin
            perform pg_notify('cpe_events', '');
            return null;
        end $$;
        create or replace trigger cpe_events_notify after insert on provisioning.mt_events
            for each statement execute function provisioning.cpe_notify_events();
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Several instances may start together: serialise the DDL.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(4242001)", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var command = new NpgsqlCommand(Sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Marten;
using Weasel.Postgresql.Procedures;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Tables.Indexes;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// The few tables and functions orchestrator instances coordinate through, next to Marten's: workflow leases, the
/// lease check used inside every append (fencing), and the trigger that NOTIFYs live followers of new events.
/// Marten's schema management owns them like its own tables: created or updated at start with the rest of the store
/// (under Marten's apply-changes lock, so instances starting together do not race).
/// </summary>
public static class CoordinationSchema
{
    public const string EventsChannel = "cpe_events";
    /// <summary>Carries the serial number of a device whose record, route or credential changed.</summary>
    public const string DevicesChannel = "cpe_devices";
    public const string LeaseLostMessage = "lease lost";

    private const string Schema = "provisioning";

    public static void Register(StoreOptions options)
    {
        options.Storage.ExtendedSchemaObjects.Add(LeaseTable());
        options.Storage.ExtendedSchemaObjects.Add(AssertLease());
        options.Storage.ExtendedSchemaObjects.Add(EventsNotifyTrigger.NotifyFunction(Schema, EventsChannel));
        // Marten creates its "extended" objects before its events table: the trigger on that table is a feature of
        // its own, which Marten applies after the event store.
        options.Storage.Add(new EventsNotifyTrigger(options, Schema));
        options.Storage.ExtendedSchemaObjects.Add(DeviceChangesNotifyTrigger.NotifyFunction(Schema, DevicesChannel));
        options.Storage.Add(new DeviceChangesNotifyTrigger(options, Schema));
    }

    private static Table LeaseTable()
    {
        var table = new Table($"{Schema}.cpe_workflow_leases");
        table.AddColumn("workflow_id", "uuid").AsPrimaryKey();
        table.AddColumn("owner", "text").NotNull();
        table.AddColumn("expires_at", "timestamptz").NotNull();
        // PostgreSQL's own names, which databases made by the earlier hand-run DDL already carry.
        table.PrimaryKeyName = "cpe_workflow_leases_pkey";
        table.Indexes.Add(new IndexDefinition("cpe_workflow_leases_owner") { Columns = ["owner"] });
        return table;
    }

    /// <summary>A procedure, so CALLing it inside a Marten batch adds no result set.</summary>
    private static StoredProcedure AssertLease() => new($"{Schema}.cpe_assert_lease", $$"""
        create or replace procedure {{Schema}}.cpe_assert_lease(wid uuid, me text) language plpgsql as $$
        begin
            if not exists (select 1 from {{Schema}}.cpe_workflow_leases where workflow_id = wid and owner = me) then
                raise exception '{{LeaseLostMessage}}: workflow % is not held by %', wid, me;
            end if;
        end $$;
        """);
}

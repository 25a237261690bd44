using Marten;
using Npgsql;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Extensions;
using Provisioning.Testing;
using Weasel.Core;

namespace Provisioning.Orchestrator.Tests.Storage;

/// <summary>
/// The lease table, the lease check and the NOTIFY trigger are Marten schema objects: Marten creates them with its
/// own schema, finds nothing to change at the next start, and adopts a database made by the earlier hand-run DDL.
/// </summary>
public sealed class CoordinationSchemaTests
{
    [Fact]
    public async Task Marten_creates_the_coordination_objects_and_finds_nothing_to_change_at_the_next_start()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("coord");
        await using (var first = Store(connectionString, coordination: true))
        {
            await first.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }

        await using var next = Store(connectionString, coordination: true);
        await AssertNothingToChangeAsync(next);
        Assert.Equal(["cpe_assert_lease", "cpe_events_notify", .. DeviceChangeTriggers, "cpe_notify_device_change", "cpe_notify_events", "cpe_workflow_leases"],
            (await CoordinationObjectsAsync(connectionString)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_database_made_by_the_earlier_hand_run_DDL_is_adopted_unchanged()
    {
        var connectionString = await EarlierDatabaseAsync(EarlierDdl);

        // Only what came later is added (the device-change NOTIFY, #19); nothing the DDL made is changed.
        await using var store = Store(connectionString, coordination: true);
        var migration = await store.Storage.Database.CreateMigrationAsync();
        Assert.Equal([.. DeviceChangeTriggers, "cpe_notify_device_change"],
            migration.Deltas.Where(d => d.Difference != SchemaPatchDifference.None).Select(d => d.SchemaObject.Identifier.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.All(migration.Deltas.Where(d => d.Difference != SchemaPatchDifference.None), d => Assert.Equal(SchemaPatchDifference.Create, d.Difference));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await AssertNothingToChangeAsync(store);
    }

    /// <summary>The row triggers that NOTIFY a device's change (one per table and event), in name order.</summary>
    private static string[] DeviceChangeTriggers =>
        [.. DeviceChangesNotifyTrigger.Tables.SelectMany(t => new[] { "delete", "insert", "update" }.Select(e => $"cpe_{t}_{e}_notify")).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_changed_notify_function_is_replaced_in_place_under_its_trigger()
    {
        // Weasel would otherwise drop it with CASCADE, taking the trigger along.
        var connectionString = await EarlierDatabaseAsync(EarlierDdl.Replace("pg_notify('cpe_events', '')", "pg_notify('cpe_events', 'old')"));

        await using var store = Store(connectionString, coordination: true);
        var migration = await store.Storage.Database.CreateMigrationAsync();
        Assert.Contains(migration.Deltas, d => d.SchemaObject.Identifier.Name == "cpe_notify_events" && d.Difference == SchemaPatchDifference.Update);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await AssertNothingToChangeAsync(store);
        Assert.Contains("cpe_events_notify", await CoordinationObjectsAsync(connectionString));
    }

    /// <summary>Marten's own schema plus <paramref name="ddl"/>, as databases were before Marten owned these objects.</summary>
    private static async Task<string> EarlierDatabaseAsync(string ddl)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("coordold");
        await using (var earlier = Store(connectionString, coordination: false))
        {
            await earlier.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(ddl, connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }

    private static DocumentStore Store(string connectionString, bool coordination) => DocumentStore.For(options =>
    {
        StoreExtensions.ConfigureProvisioningStore(options, connectionString);
        if (coordination) CoordinationSchema.Register(options);
    });

    private static async Task AssertNothingToChangeAsync(DocumentStore store)
    {
        var migration = await store.Storage.Database.CreateMigrationAsync();
        var changed = migration.Deltas.Where(d => d.Difference != SchemaPatchDifference.None).Select(d => $"{d.SchemaObject.Identifier}: {d.Difference}");
        Assert.True(migration.Difference == SchemaPatchDifference.None, "Marten would change: " + string.Join(", ", changed));
    }

    private static async Task<List<string>> CoordinationObjectsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'provisioning' and relname like 'cpe\_%' and relkind = 'r'
            union all select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'provisioning' and proname like 'cpe\_%'
            union all select tgname from pg_trigger where tgname like 'cpe\_%'
            order by 1
            """, connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>What the orchestrator ran at every start before Marten owned these objects.</summary>
    private const string EarlierDdl = """
        create table if not exists provisioning.cpe_workflow_leases (
            workflow_id uuid primary key,
            owner text not null,
            expires_at timestamptz not null);
        create index if not exists cpe_workflow_leases_owner on provisioning.cpe_workflow_leases (owner);

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
}

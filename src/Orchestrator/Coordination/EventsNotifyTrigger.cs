using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Triggers;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// The statement trigger on Marten's events table that NOTIFYs every commit of events (from any instance), as a
/// schema feature of its own: Marten applies such features after its event store, so the table exists by then.
/// </summary>
public sealed class EventsNotifyTrigger(StoreOptions options, string schema)
    : FeatureSchemaBase("CoordinationEventsNotify", options.Advanced.Migrator)
{
    /// <summary>The function the trigger runs (it must exist before the trigger; Marten's extended objects come first).</summary>
    public static ReplaceableFunction NotifyFunction(string schema, string channel) => new(schema, "cpe_notify_events", $$"""
        CREATE OR REPLACE FUNCTION {{schema}}.cpe_notify_events()
         RETURNS trigger
         LANGUAGE plpgsql
        AS $function$
        begin
            perform pg_notify('{{channel}}', '');
            return null;
        end $function$;
        """);

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new Trigger($"{schema}.cpe_events_notify", $"{options.Events.DatabaseSchemaName}.mt_events", $"{schema}.cpe_notify_events()")
        {
            Timing = TriggerTiming.After,
            Events = TriggerEvents.Insert,
            ForEachRow = false,
        };
    }
}

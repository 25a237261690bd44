using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Triggers;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// Row triggers on the device record, route and credential tables that NOTIFY the device's serial number at commit
/// (any instance, any writer), so every instance's <see cref="Devices.DeviceContactCache"/> drops it. A route update
/// that moves only SeenAt (the coalesced batches of <see cref="Devices.RouteSeenAtBatch"/>) notifies nobody: no instance
/// decides anything on a seen-at newer than the one it has.
/// </summary>
public sealed class DeviceChangesNotifyTrigger(StoreOptions options, string schema)
    : FeatureSchemaBase("CoordinationDeviceChangesNotify", options.Advanced.Migrator)
{
    /// <summary>The documents whose changes the cache must hear of, by their Marten table.</summary>
    public static readonly string[] Tables = ["mt_doc_devicerecord", "mt_doc_deviceroute", "mt_doc_devicecredential"];

    /// <summary>The function the triggers run (it must exist before them; Marten's extended objects come first).</summary>
    public static ReplaceableFunction NotifyFunction(string schema, string channel) => new(schema, "cpe_notify_device_change", $$"""
        CREATE OR REPLACE FUNCTION {{schema}}.cpe_notify_device_change()
         RETURNS trigger
         LANGUAGE plpgsql
        AS $function$
        begin
            if TG_OP = 'DELETE' then
                perform pg_notify('{{channel}}', OLD.id);
            elsif TG_OP = 'INSERT' or TG_TABLE_NAME <> 'mt_doc_deviceroute' or (OLD.data - 'SeenAt') IS DISTINCT FROM (NEW.data - 'SeenAt') then
                perform pg_notify('{{channel}}', NEW.id);
            end if;
            return null;
        end $function$;
        """);

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        // One trigger per event: PostgreSQL reads several events back in its own order, which Weasel then takes for a
        // changed trigger to recreate at every start.
        foreach (var table in Tables)
        {
            foreach (var (name, events) in new[] { ("insert", TriggerEvents.Insert), ("update", TriggerEvents.Update), ("delete", TriggerEvents.Delete) })
            {
                yield return new Trigger($"{schema}.cpe_{table}_{name}_notify", $"{schema}.{table}", $"{schema}.cpe_notify_device_change()")
                {
                    Timing = TriggerTiming.After,
                    Events = events,
                    ForEachRow = true,
                };
            }
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// The store's physical limit on this box: what <see cref="StoreReference"/> has Marten write, written by Npgsql
/// alone into the same tables (Marten's schema, applied before the timed part): the same event rows, the stream row,
/// the summary document upsert, the claim and the device, in the same four write transactions per workflow, each one
/// <see cref="NpgsqlBatch"/> (one round trip, one implicit transaction) that also reads the summary back; the reads
/// of the contact and of the driver are one batch each. No Marten in the timed part: the gap to the Marten reference
/// is Marten's, the gap from it to the storm is ours.
/// </summary>
public static class RawStoreReference
{
    private const string Schema = "provisioning";
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public static async Task<ReferenceResult> RunAsync(string connectionString, int workflows, int concurrency, int? postmasterPid, CancellationToken cancellationToken)
    {
        var serials = StoreReference.Serials(workflows);
        await (await StoreReference.PrepareAsync(connectionString, serials, cancellationToken)).DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await RunOneAsync(dataSource, "REFWARMUP", cancellationToken); // pool filled and statements prepared, as the orchestrator is warm
        return await StoreReference.MeasureAsync(serials, concurrency, postmasterPid, serial => RunOneAsync(dataSource, serial, cancellationToken), cancellationToken);
    }

    private static async Task RunOneAsync(NpgsqlDataSource dataSource, string serial, CancellationToken cancellationToken)
    {
        var trace = new TraceRef(ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // The contact's device lookup and the starter's claim check.
        await using (var contact = new NpgsqlBatch(connection))
        {
            contact.BatchCommands.Add(Load("devicerecord", serial));
            contact.BatchCommands.Add(Load("activeworkflowclaim", serial));
            await ExecuteAsync(contact, cancellationToken);
        }
        var device = StoreReference.Device(serial);

        var workflowId = Guid.CreateVersion7();
        var requested = StoreReference.Requested(serial, trace);
        var summary = WorkflowSummaryProjection.Start(workflowId, requested, DateTimeOffset.UtcNow);
        await using (var start = new NpgsqlBatch(connection))
        {
            start.BatchCommands.Add(new NpgsqlBatchCommand(
                $"insert into {Schema}.mt_streams (id, type, version, timestamp, created) values ($1, $2, $3, now(), now())")
            {
                Parameters = { new() { Value = workflowId }, new() { Value = nameof(WorkflowSummary) }, new() { Value = 1L } },
            });
            AppendEvents(start, workflowId, 0, [requested]);
            start.BatchCommands.Add(UpsertSummary(summary));
            start.BatchCommands.Add(Upsert("activeworkflowclaim", serial, new ActiveWorkflowClaim(serial, workflowId)));
            start.BatchCommands.Add(Load("workflowsummary", workflowId));
            await ExecuteAsync(start, cancellationToken);
        }

        // The driver's summary, device and plan loads.
        await using (var driver = new NpgsqlBatch(connection))
        {
            driver.BatchCommands.Add(Load("workflowsummary", workflowId));
            driver.BatchCommands.Add(Load("devicerecord", serial));
            driver.BatchCommands.Add(Load("serviceplandocument", StoreReference.PlanName));
            await ExecuteAsync(driver, cancellationToken);
        }

        foreach (var events in StoreReference.StepEvents(serial, workflowId, device, trace))
        {
            var expected = summary.Version;
            summary = WorkflowSummaryProjection.Fold(summary, events, DateTimeOffset.UtcNow);
            await using var step = new NpgsqlBatch(connection);
            // The expected-version check: the stream row moves only from the version this append was decided at.
            step.BatchCommands.Add(new NpgsqlBatchCommand(
                $"update {Schema}.mt_streams set version = $1, timestamp = now() where id = $2 and version = $3")
            {
                Parameters = { new() { Value = summary.Version }, new() { Value = workflowId }, new() { Value = expected } },
            });
            AppendEvents(step, workflowId, expected, events);
            step.BatchCommands.Add(UpsertSummary(summary));
            if (events.Any(e => e is ProvisioningSucceeded))
            {
                step.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {Schema}.mt_doc_activeworkflowclaim where id = $1") { Parameters = { new() { Value = serial } } });
                step.BatchCommands.Add(UpsertDevice(device with { Provisioned = true, ProvisionedAt = DateTimeOffset.UtcNow }));
            }
            step.BatchCommands.Add(Load("workflowsummary", workflowId));
            await ExecuteAsync(step, cancellationToken);
            if (step.BatchCommands[0].RecordsAffected != 1) throw new InvalidOperationException($"stream {workflowId} was not at version {expected}");
        }
    }

    private static async Task ExecuteAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do { while (await reader.ReadAsync(cancellationToken)) { } } while (await reader.NextResultAsync(cancellationToken));
    }

    private static void AppendEvents(NpgsqlBatch batch, Guid workflowId, long version, IReadOnlyList<object> events)
    {
        foreach (var data in events)
        {
            version++;
            var type = data.GetType();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) " +
                $"values (nextval('{Schema}.mt_events_sequence'), $1, $2, $3, $4, $5, now(), $6)")
            {
                Parameters =
                {
                    new() { Value = Guid.CreateVersion7() }, new() { Value = workflowId }, new() { Value = version },
                    new() { Value = JsonSerializer.Serialize(data, type, Json), NpgsqlDbType = NpgsqlDbType.Jsonb },
                    new() { Value = EventTypeName(type.Name) }, new() { Value = $"{type.FullName}, {type.Assembly.GetName().Name}" },
                },
            });
        }
    }

    // mt_version is left to the column's default, so each write gets a new one as Marten's do.
    private static NpgsqlBatchCommand UpsertSummary(WorkflowSummary summary) => new(
        $"""
        insert into {Schema}.mt_doc_workflowsummary (id, data, mt_dotnet_type, mt_last_modified, serial_number, status, created_at)
        values ($1, $2, $3, now(), $4, $5, $6)
        on conflict (id) do update set data = excluded.data, mt_last_modified = excluded.mt_last_modified, mt_version = excluded.mt_version,
            serial_number = excluded.serial_number, status = excluded.status, created_at = excluded.created_at
        """)
    {
        Parameters =
        {
            new() { Value = summary.Id }, Document(summary), new() { Value = typeof(WorkflowSummary).FullName },
            new() { Value = summary.SerialNumber }, new() { Value = summary.Status.ToString() }, new() { Value = summary.CreatedAt },
        },
    };

    private static NpgsqlBatchCommand UpsertDevice(DeviceRecord device) => new(
        $"""
        insert into {Schema}.mt_doc_devicerecord (id, data, mt_dotnet_type, mt_last_modified, endpoint_id, cwmp_username)
        values ($1, $2, $3, now(), $4, $5)
        on conflict (id) do update set data = excluded.data, mt_last_modified = excluded.mt_last_modified, mt_version = excluded.mt_version,
            endpoint_id = excluded.endpoint_id, cwmp_username = excluded.cwmp_username
        """)
    {
        Parameters =
        {
            new() { Value = device.Id }, Document(device), new() { Value = typeof(DeviceRecord).FullName },
            new() { Value = (object?)device.EndpointId ?? DBNull.Value }, new() { Value = (object?)device.CwmpUsername ?? DBNull.Value },
        },
    };

    private static NpgsqlBatchCommand Upsert<T>(string table, string id, T document) => new(
        $"""
        insert into {Schema}.mt_doc_{table} (id, data, mt_dotnet_type, mt_last_modified) values ($1, $2, $3, now())
        on conflict (id) do update set data = excluded.data, mt_last_modified = excluded.mt_last_modified, mt_version = excluded.mt_version
        """)
    {
        Parameters = { new() { Value = id }, Document(document), new() { Value = typeof(T).FullName } },
    };

    private static NpgsqlBatchCommand Load<TId>(string table, TId id) where TId : notnull =>
        new($"select data from {Schema}.mt_doc_{table} where id = $1") { Parameters = { new() { Value = id } } };

    private static NpgsqlParameter Document<T>(T document) => new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb };

    /// <summary>Marten's event type name: the class name in snake case (ProvisioningRequested → provisioning_requested).</summary>
    private static string EventTypeName(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

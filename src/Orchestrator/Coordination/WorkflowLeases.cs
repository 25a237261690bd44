using Microsoft.Extensions.Options;
using Npgsql;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// Which instance drives which workflow, recorded in PostgreSQL with an expiry the owner renews. A workflow whose
/// lease has expired (its instance died) is taken over by another instance; appends check the lease (fencing).
/// </summary>
public sealed class WorkflowLeases(NpgsqlDataSource dataSource, IOptions<CoordinationOptions> options)
{
    private volatile bool _forsaken;

    public string Me => options.Value.InstanceId;

    /// <summary>Stop touching the lease table at all, as a killed process would (crash simulations in tests).</summary>
    public void Forsake() => _forsaken = true;
    private double Seconds => options.Value.LeaseDuration.TotalSeconds;

    /// <summary>SQL (Marten placeholders) that records this instance as owner of a new workflow, in the workflow's first transaction.</summary>
    public (string Sql, object[] Parameters) InsertFor(Guid workflowId) =>
        ("insert into provisioning.cpe_workflow_leases (workflow_id, owner, expires_at) values (?, ?, now() + make_interval(secs => ?))",
         [workflowId, Me, Seconds]);

    /// <summary>SQL that fails the transaction unless this instance still holds the workflow.</summary>
    public (string Sql, object[] Parameters) AssertFor(Guid workflowId) =>
        ("call provisioning.cpe_assert_lease(?, ?)", [workflowId, Me]);

    public (string Sql, object[] Parameters) DeleteFor(Guid workflowId) =>
        ("delete from provisioning.cpe_workflow_leases where workflow_id = ? and owner = ?", [workflowId, Me]);

    public static bool IsLeaseLost(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException pg && pg.MessageText.StartsWith(CoordinationSchema.LeaseLostMessage, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>Takes a workflow whose lease is missing or expired (or already ours).</summary>
    public async Task<bool> TryAcquireAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into provisioning.cpe_workflow_leases as l (workflow_id, owner, expires_at)
            values ($1, $2, now() + make_interval(secs => $3))
            on conflict (workflow_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
                where l.expires_at < now() or l.owner = excluded.owner
            returning owner
            """);
        command.Parameters.AddWithValue(workflowId);
        command.Parameters.AddWithValue(Me);
        command.Parameters.AddWithValue(Seconds);
        return await command.ExecuteScalarAsync(cancellationToken) is string;
    }

    /// <summary>
    /// Extends this instance's leases; returns the workflows another instance holds now. (A lease that is simply gone
    /// belongs to a workflow that just ended; that is not a loss.)
    /// </summary>
    public async Task<IReadOnlyList<Guid>> RenewAsync(IReadOnlyCollection<Guid> held, CancellationToken cancellationToken)
    {
        if (held.Count == 0 || _forsaken) return [];
        await using var command = dataSource.CreateCommand("""
            with renewed as (
                update provisioning.cpe_workflow_leases set expires_at = now() + make_interval(secs => $3)
                where owner = $1 and workflow_id = any($2))
            select workflow_id from provisioning.cpe_workflow_leases where workflow_id = any($2) and owner <> $1
            """);
        command.Parameters.AddWithValue(Me);
        command.Parameters.AddWithValue(held.ToArray());
        command.Parameters.AddWithValue(Seconds);
        var lost = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) lost.Add(reader.GetGuid(0));
        return lost;
    }

    /// <summary>Running workflows nobody holds: never leased, or their instance stopped renewing.</summary>
    public async Task<IReadOnlyList<Guid>> FindOrphansAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select s.id from provisioning.mt_doc_workflowsummary s
            left join provisioning.cpe_workflow_leases l on l.workflow_id = s.id
            where s.status = 'Running' and (l.workflow_id is null or l.expires_at < now())
            order by s.created_at
            limit $1
            """);
        command.Parameters.AddWithValue(limit);
        var found = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) found.Add(reader.GetGuid(0));
        return found;
    }

    /// <summary>On a clean shutdown: let the other instances (or our next start) take our workflows at once.</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        if (_forsaken) return;
        await using var command = dataSource.CreateCommand("delete from provisioning.cpe_workflow_leases where owner = $1");
        command.Parameters.AddWithValue(Me);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

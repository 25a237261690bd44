using System.Diagnostics;
using Npgsql;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// Where the time goes during the storm without dotnet-trace: CPU seconds of the orchestrator (per thread name),
/// of PostgreSQL (postmaster and backends) and of this process (simulators + follower), machine busy time,
/// transaction counts and the statements that took the database's time (pg_stat_statements).
/// </summary>
public sealed class StormProfile
{
    private readonly int _orchestratorPid;
    private readonly int? _postmasterPid;
    private readonly string _connectionString;
    private double _orchestrator0, _postgres0, _self0, _busy0, _total0;
    private Dictionary<string, double> _threads0 = [];
    private long _commits0, _rollbacks0, _listenOverflows0;
    private readonly Stopwatch _wall = new();

    public StormProfile(int orchestratorPid, int? postmasterPid, string connectionString)
    {
        _orchestratorPid = orchestratorPid;
        _postmasterPid = postmasterPid;
        _connectionString = connectionString;
    }

    public async Task StartAsync()
    {
        (_commits0, _rollbacks0) = await TransactionsAsync();
        await ExecuteAsync("SELECT pg_stat_statements_reset()");
        _orchestrator0 = ProcessStats.CpuSeconds(_orchestratorPid);
        _postgres0 = _postmasterPid is { } pm ? ProcessStats.TreeCpuSeconds(pm) : 0;
        _self0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        (_busy0, _total0) = ProcessStats.MachineCpu();
        _threads0 = ProcessStats.CpuSecondsByThread(_orchestratorPid);
        _listenOverflows0 = ProcessStats.ListenOverflows();
        _wall.Restart();
    }

    public async Task<Dictionary<string, object?>> StopAsync(int workflows)
    {
        var wall = _wall.Elapsed.TotalSeconds;
        var orchestrator = ProcessStats.CpuSeconds(_orchestratorPid) - _orchestrator0;
        var postgres = _postmasterPid is { } pm ? ProcessStats.TreeCpuSeconds(pm) - _postgres0 : double.NaN;
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _self0;
        var (busy, total) = ProcessStats.MachineCpu();
        var threads = ProcessStats.CpuSecondsByThread(_orchestratorPid)
            .Select(t => (t.Key, Seconds: t.Value - _threads0.GetValueOrDefault(t.Key)))
            .Where(t => t.Seconds > 0.005).OrderByDescending(t => t.Seconds).Take(12)
            .ToDictionary(t => t.Key, t => (object?)Math.Round(t.Seconds, 2));
        var (commits, rollbacks) = await TransactionsAsync();
        double PerWorkflowMs(double seconds) => workflows > 0 ? Math.Round(seconds * 1000 / workflows, 3) : 0;
        return new Dictionary<string, object?>
        {
            ["wall_s"] = Math.Round(wall, 2),
            ["cores"] = Environment.ProcessorCount,
            ["machine_busy_cpu_s"] = Math.Round(busy - _busy0, 2),
            ["machine_cpu_utilisation"] = Math.Round((busy - _busy0) / Math.Max(0.001, total - _total0), 3),
            ["orchestrator_cpu_s"] = Math.Round(orchestrator, 2),
            // NaN when the server is not ours to measure (--connection-string): JSON has no NaN, so null.
            ["postgres_cpu_s"] = double.IsNaN(postgres) ? null : Math.Round(postgres, 2),
            ["benchmark_cpu_s"] = Math.Round(self, 2),
            // Anything else on the box (other builds and tests on a shared machine): noise in every figure.
            ["other_processes_cpu_s"] = Math.Round(busy - _busy0 - orchestrator - (double.IsNaN(postgres) ? 0 : postgres) - self, 2),
            ["orchestrator_cpu_ms_per_workflow"] = PerWorkflowMs(orchestrator),
            ["postgres_cpu_ms_per_workflow"] = double.IsNaN(postgres) ? null : PerWorkflowMs(postgres),
            ["benchmark_cpu_ms_per_workflow"] = PerWorkflowMs(self),
            ["orchestrator_cpu_s_by_thread"] = threads,
            ["tcp_listen_overflows"] = ProcessStats.ListenOverflows() - _listenOverflows0,
            ["xact_commit"] = commits - _commits0,
            ["xact_rollback"] = rollbacks - _rollbacks0,
            ["xact_commit_per_second"] = Math.Round((commits - _commits0) / Math.Max(0.001, wall), 1),
            ["xact_per_workflow"] = workflows > 0 ? Math.Round((double)(commits - _commits0) / workflows, 2) : 0,
            ["top_statements"] = await TopStatementsAsync("total_exec_time"),
            ["top_statements_by_calls"] = await TopStatementsAsync("calls"),
        };
    }

    private async Task<(long Commits, long Rollbacks)> TransactionsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<List<Dictionary<string, object?>>> TopStatementsAsync(string orderBy)
    {
        var rows = new List<Dictionary<string, object?>>();
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($$"""
                SELECT calls, total_exec_time, mean_exec_time, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 160)
                FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE d.datname = current_database()
                ORDER BY {{orderBy}} DESC LIMIT 12
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(new Dictionary<string, object?>
                {
                    ["calls"] = reader.GetInt64(0),
                    ["total_ms"] = Math.Round(reader.GetDouble(1), 1),
                    ["mean_ms"] = Math.Round(reader.GetDouble(2), 3),
                    ["rows"] = reader.GetInt64(3),
                    ["query"] = reader.GetString(4),
                });
            }
        }
        catch (PostgresException e)
        {
            rows.Add(new Dictionary<string, object?> { ["unavailable"] = e.MessageText });
        }
        return rows;
    }

    private async Task ExecuteAsync(string sql)
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException)
        {
            // pg_stat_statements not loaded (a server given by connection string): the rest of the profile still works.
        }
    }
}

using Npgsql;
using Provisioning.Launcher.Storage;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// The PostgreSQL server of the run: a private cluster in a temp folder (pg_stat_statements loaded), or a server
/// given by connection string. Each run gets fresh databases (the storm's and the reference's).
/// </summary>
public sealed class StormDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;
    private readonly string _serverConnectionString;

    private StormDatabase(EmbeddedPostgres? embedded, string serverConnectionString)
    {
        _embedded = embedded;
        _serverConnectionString = serverConnectionString;
    }

    public string? DataDirectory => _embedded?.DataDirectory;

    /// <summary>The postmaster's pid (embedded cluster only), for the CPU split.</summary>
    public int? PostmasterPid
    {
        get
        {
            if (_embedded is null) return null;
            var file = Path.Combine(_embedded.DataDirectory, "postmaster.pid");
            return File.Exists(file) && int.TryParse(File.ReadLines(file).First(), out var pid) ? pid : null;
        }
    }

    public static async Task<StormDatabase> StartAsync(string? connectionString)
    {
        if (!string.IsNullOrWhiteSpace(connectionString)) return new StormDatabase(null, connectionString);
        var folder = Path.Combine(Path.GetTempPath(), $"storm-pg-{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}");
        // The named unsafe mode keeps the figures comparable with earlier runs (a throw-away cluster); an operator's is durable.
        var pg = await EmbeddedPostgres.StartAsync(folder, durability: EmbeddedDurability.UnsafeFastForTests);
        // Load pg_stat_statements for the statement profile and track commit times (both need a restart), keeping EmbeddedPostgres's tuning.
        await pg.StopAsync();
        await File.AppendAllTextAsync(Path.Combine(pg.DataDirectory, "postgresql.conf"),
            "\nshared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" +
            // For CommitOrder: when each storm event's transaction committed.
            "track_commit_timestamp = on\n");
        await pg.DisposeAsync();
        pg = await EmbeddedPostgres.StartAsync(folder, pg.Port, EmbeddedDurability.UnsafeFastForTests);
        return new StormDatabase(pg, pg.ConnectionString);
    }

    /// <summary>A fresh database on the server; the returned connection string keeps the server's pool settings.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name };
        var cs = builder.ConnectionString;
        if (_embedded is not null)
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
            await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
            await extension.ExecuteNonQueryAsync();
        }
        return cs;
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is null) return;
        var folder = _embedded.DataDirectory;
        await _embedded.StopAsync();
        await _embedded.DisposeAsync();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        try { File.Delete(_embedded.PasswordFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

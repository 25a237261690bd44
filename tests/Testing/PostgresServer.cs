using Npgsql;
using Provisioning.Launcher.Storage;
using Testcontainers.PostgreSql;

namespace Provisioning.Testing;

/// <summary>
/// One real PostgreSQL per test run: the server named by PROVISIONING_TEST_POSTGRES (a connection
/// string), else a Testcontainers container where a Docker engine answers (one per process), else a local
/// cluster (initdb + pg_ctl, loopback only) shared by the run's test processes (<see cref="SharedPostgresCluster"/>),
/// or a private one for an assembly marked <see cref="PrivatePostgresAttribute"/>. Each test fixture gets a database of its own.
/// </summary>
public static class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static EmbeddedPostgres? _embedded;
    private static int _databaseCounter;

    /// <summary>The process's private cluster (assemblies marked <see cref="PrivatePostgresAttribute"/> only), which a test may restart.</summary>
    public static EmbeddedPostgres? Embedded => _embedded;

    public static async Task<string> AdminConnectionStringAsync()
    {
        if (_adminConnectionString is not null) return _adminConnectionString;
        await Gate.WaitAsync();
        try
        {
            _adminConnectionString ??= await StartAsync();
            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var admin = await AdminConnectionStringAsync();
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        // Unpooled: a test may restart the server, which would leave pooled connections dead.
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var given = Environment.GetEnvironmentVariable("PROVISIONING_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(given)) return given;

        try
        {
            var container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await container.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
            return container.GetConnectionString();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // No Docker engine here: fall back to a local cluster.
        }

        if (!PrivatePostgresAttribute.IsDeclared()) return await SharedPostgresCluster.JoinAsync();

        var folder = Path.Combine(Path.GetTempPath(), $"provisioning-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        // A throw-away cluster: the named unsafe mode trades durability for speed (the run command's cluster is durable).
        _embedded = await EmbeddedPostgres.StartAsync(folder, durability: EmbeddedDurability.UnsafeFastForTests);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _embedded.StopAsync().Wait(TimeSpan.FromSeconds(20));
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            try { File.Delete(_embedded.PasswordFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return _embedded.ConnectionString;
    }
}

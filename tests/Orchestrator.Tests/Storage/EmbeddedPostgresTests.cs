using Npgsql;
using Provisioning.Launcher.Storage;

namespace Provisioning.Orchestrator.Tests.Storage;

/// <summary>
/// The cluster the run command starts when no connection string is given holds device secrets: it must be durable and
/// let nobody in without its password. Read back from the running server, not from the files written.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EmbeddedPostgresTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"embedded-pg-test-{Guid.NewGuid():N}");
    private EmbeddedPostgres? _postgres;

    public async Task InitializeAsync() => _postgres = await EmbeddedPostgres.StartAsync(_folder);

    public async Task DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        try { File.Delete(_folder + ".password"); } catch (IOException) { }
    }

    [Fact]
    public async Task The_default_cluster_is_durable()
    {
        await using var connection = new NpgsqlConnection(_postgres!.ConnectionString);
        await connection.OpenAsync();
        foreach (var setting in new[] { "fsync", "full_page_writes", "synchronous_commit" })
        {
            await using var show = new NpgsqlCommand($"SHOW {setting}", connection);
            Assert.Equal("on", (string)(await show.ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task Every_connection_needs_the_generated_password_kept_owner_only()
    {
        var mode = File.GetUnixFileMode(_postgres!.PasswordFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);

        await using (var connection = new NpgsqlConnection(_postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var rules = new NpgsqlCommand("SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules", connection);
            Assert.Equal("scram-sha-256", (string)(await rules.ExecuteScalarAsync())!);
            await using var listen = new NpgsqlCommand("SHOW listen_addresses", connection);
            Assert.Equal("127.0.0.1", (string)(await listen.ExecuteScalarAsync())!);
        }

        foreach (var password in new[] { "", "wrong" })
        {
            var attempt = new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Password = password, Pooling = false }.ConnectionString;
            await using var refused = new NpgsqlConnection(attempt);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => refused.OpenAsync());
            Assert.True(error is PostgresException { SqlState: "28P01" } or NpgsqlException, error.ToString());
        }
    }

    [Fact]
    public async Task A_restarted_cluster_keeps_its_password_and_settings()
    {
        await _postgres!.StopAsync();
        _postgres = await EmbeddedPostgres.StartAsync(_folder, _postgres.Port);
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW fsync", connection);
        Assert.Equal("on", (string)(await show.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_cluster_made_by_an_earlier_version_with_trust_and_fsync_off_is_secured_at_its_next_start()
    {
        var legacy = Path.Combine(Path.GetTempPath(), $"embedded-pg-legacy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(legacy);
        var root = Environment.UserName == "root";
        if (root) await Run("chown", "postgres:postgres", legacy);
        var initdb = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin", "initdb")).First(File.Exists);
        if (root) await Run("runuser", "-u", "postgres", "--", initdb, "-D", legacy, "--auth=trust", "--username=postgres", "--no-sync");
        else await Run(initdb, "-D", legacy, "--auth=trust", "--username=postgres", "--no-sync");
        await File.AppendAllTextAsync(Path.Combine(legacy, "postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n");

        var postgres = await EmbeddedPostgres.StartAsync(legacy);
        try
        {
            await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
            {
                await connection.OpenAsync();
                await using var show = new NpgsqlCommand("SHOW fsync", connection);
                Assert.Equal("on", (string)(await show.ExecuteScalarAsync())!);
            }
            var withoutPassword = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = "", Pooling = false }.ConnectionString;
            await using var refused = new NpgsqlConnection(withoutPassword);
            await Assert.ThrowsAnyAsync<Exception>(() => refused.OpenAsync());
        }
        finally
        {
            await postgres.DisposeAsync();
            try { Directory.Delete(legacy, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            try { File.Delete(postgres.PasswordFile); } catch (IOException) { }
        }
    }

    private static async Task Run(string file, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {output}");
    }
}

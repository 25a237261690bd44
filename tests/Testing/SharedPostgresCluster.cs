using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Provisioning.Launcher.Storage;

namespace Provisioning.Testing;

/// <summary>
/// One local PostgreSQL cluster for all the test processes of a run (dotnet test runs test assemblies as parallel
/// processes), in a folder under the temp folder keyed by user and repository. Every step that starts, joins, leaves or
/// stops it holds an exclusive lock file. A process joining writes a file named after its pid (with its start time, so a
/// reused pid is not mistaken for it); the last live process leaving stops the cluster. A crashed process's file is
/// ignored, and a cluster left running by one is reused when its postmaster answers.
/// </summary>
internal static class SharedPostgresCluster
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(),
        $"provisioning-pg-{Environment.UserName}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RepositoryRoot())))[..12]}");
    private static string DataFolder => Path.Combine(Folder, "data");
    // The admin connection string of the running cluster (it holds the generated password: owner-only like the password file).
    private static string StateFile => Path.Combine(Folder, "connection");
    private static string MembersFolder => Path.Combine(Folder, "members");
    private static string MemberFile => Path.Combine(MembersFolder, Environment.ProcessId.ToString());

    /// <summary>Joins the run's cluster, starting it if none answers; returns its admin connection string.</summary>
    public static async Task<string> JoinAsync()
    {
        Directory.CreateDirectory(MembersFolder);
        using var held = await LockAsync();
        var connectionString = File.Exists(StateFile) ? (await File.ReadAllTextAsync(StateFile)).Trim() : null;
        if (connectionString is null || !await AnswersAsync(connectionString))
        {
            // pg_ctl restarts a cluster a crashed run left half-running in the folder; initdb only on first use.
            var cluster = await EmbeddedPostgres.StartAsync(DataFolder, durability: EmbeddedDurability.UnsafeFastForTests);
            connectionString = cluster.ConnectionString;
            await RaiseConnectionLimitAsync(cluster);
            await File.WriteAllTextAsync(StateFile, "");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllTextAsync(StateFile, connectionString);
        }
        await File.WriteAllTextAsync(MemberFile, StartTimeOf(Environment.ProcessId));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Leave();
        return connectionString;
    }

    private static void Leave()
    {
        using var held = LockAsync().GetAwaiter().GetResult();
        File.Delete(MemberFile);
        if (Directory.EnumerateFiles(MembersFolder).Any(IsLive)) return;
        // pg_ctl stop (fast: open sessions are ended), as the user the cluster runs as.
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : PgCtl()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (asRoot ? ["-u", "postgres", "--", PgCtl()] : Array.Empty<string>()).Concat(["-D", DataFolder, "-m", "fast", "-w", "stop"]))
            start.ArgumentList.Add(argument);
        using var stop = Process.Start(start);
        stop?.WaitForExit(TimeSpan.FromSeconds(20));
        File.Delete(StateFile);
    }

    private static bool IsLive(string memberFile)
    {
        if (int.TryParse(Path.GetFileName(memberFile), out var pid) && StartTimeOf(pid) is { } started && started == File.ReadAllText(memberFile).Trim())
            return true;
        // A crashed process's file: cleared so the folder does not grow.
        try { File.Delete(memberFile); } catch (IOException) { }
        return false;
    }

    /// <summary>
    /// When the process started, in clock ticks since boot (/proc/&lt;pid&gt;/stat, field 22): exact and the same read by any
    /// process (Process.StartTime is derived from the boot time, which each process computes slightly differently). Null: no such process.
    /// </summary>
    private static string? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which may hold spaces and ends at the last ')': state is field 3.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[22 - 3];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The cluster's 300 connections were one process's; every test process of a run now shares them. postgresql.auto.conf
    /// (ALTER SYSTEM) is read after the launcher's settings and kept in the folder, so this restarts once per folder, before
    /// any process has joined.
    /// </summary>
    private static async Task RaiseConnectionLimitAsync(EmbeddedPostgres cluster)
    {
        const int limit = 1000;
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW max_connections", connection);
            if (int.Parse((string)(await show.ExecuteScalarAsync())!) >= limit) return;
            await using var alter = new NpgsqlCommand($"ALTER SYSTEM SET max_connections = {limit}", connection);
            await alter.ExecuteNonQueryAsync();
        }
        await cluster.RestartAsync();
    }

    private static async Task<bool> AnswersAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }

    /// <summary>An exclusive lock on a file beside the cluster's folder, held until disposed (the OS drops it if the process dies).</summary>
    private static async Task<FileStream> LockAsync()
    {
        var path = Folder + ".lock";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 1200)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string PgCtl()
    {
        foreach (var folder in Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().ToArray() : [])
            if (File.Exists(Path.Combine(folder, "bin", "pg_ctl"))) return Path.Combine(folder, "bin", "pg_ctl");
        return "pg_ctl";
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Provisioning.sln"))) return folder.FullName;
        return AppContext.BaseDirectory;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Provisioning.Launcher.Storage;

/// <summary>How the embedded cluster writes: durable like any store of device secrets, or fast for throw-away test clusters.</summary>
public enum EmbeddedDurability
{
    /// <summary>fsync, full_page_writes and synchronous_commit at PostgreSQL's durable defaults.</summary>
    Durable,
    /// <summary>All three off: a power cut loses or corrupts data. For test clusters in a temporary folder only.</summary>
    UnsafeFastForTests,
}

/// <summary>
/// A private PostgreSQL cluster (initdb + pg_ctl) in a folder of its own, listening on loopback only, with password
/// (SCRAM) authentication for every connection. The password is generated on first start into an owner-only file
/// beside the data folder (<c>&lt;folder&gt;.password</c>). The run command's default store when no connection string is
/// configured, and the tests' fallback when no Docker engine answers. Unix only (initdb, pg_ctl, runuser).
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private const string SettingsFile = "provisioning.conf";
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly bool _runAsServiceUser;
    private readonly EmbeddedDurability _durability;
    private string _password = "";

    public int Port { get; }
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = ServiceUser, Password = _password, Database = "postgres",
        Pooling = true, MaxPoolSize = 60, NoResetOnClose = true,
    }.ConnectionString;
    public string DataDirectory => _dataDirectory;
    /// <summary>Where the generated superuser password is kept (mode 0600, owned by the user running the orchestrator).</summary>
    public string PasswordFile => _dataDirectory.TrimEnd('/') + ".password";

    private EmbeddedPostgres(string dataDirectory, string binDirectory, int port, bool runAsServiceUser, EmbeddedDurability durability)
    {
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        _runAsServiceUser = runAsServiceUser;
        _durability = durability;
    }

    /// <summary>Initialises the cluster if the folder is empty, then starts it (or reuses a running one).</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, int port = 0, EmbeddedDurability durability = EmbeddedDurability.Durable,
        CancellationToken cancellationToken = default)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var bin = FindBinaries();
        var asServiceUser = Environment.UserName == "root";
        if (port == 0) port = FreeLoopbackPort();
        var pg = new EmbeddedPostgres(dataDirectory, bin, port, asServiceUser, durability);
        var adoptLegacyCluster = await pg.InitialiseAsync(cancellationToken);
        await pg.WriteSettingsAsync(adoptLegacyCluster, cancellationToken);
        await pg.StartServerAsync(cancellationToken);
        if (adoptLegacyCluster) await pg.SecureLegacyClusterAsync(cancellationToken);
        return pg;
    }

    /// <summary>
    /// Creates the cluster with SCRAM authentication and a generated password. Returns true for a cluster made before
    /// passwords were kept (trust authentication, no password file): it is given one once it runs.
    /// </summary>
    private async Task<bool> InitialiseAsync(CancellationToken cancellationToken)
    {
        var exists = File.Exists(Path.Combine(_dataDirectory, "PG_VERSION"));
        if (File.Exists(PasswordFile))
        {
            _password = (await File.ReadAllTextAsync(PasswordFile, cancellationToken)).Trim();
            if (exists) return false;
        }
        else
        {
            _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            Directory.CreateDirectory(Path.GetDirectoryName(PasswordFile)!);
            await File.WriteAllTextAsync(PasswordFile, "", cancellationToken);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllTextAsync(PasswordFile, _password, cancellationToken);
            if (exists) return true;
        }

        Directory.CreateDirectory(_dataDirectory);
        await OwnAsync(_dataDirectory, cancellationToken);
        // initdb reads the password from a file the service user can read; it lives only until initdb is done.
        var pwfile = _dataDirectory.TrimEnd('/') + ".initdb-password";
        await File.WriteAllTextAsync(pwfile, _password, cancellationToken);
        await OwnAsync(pwfile, cancellationToken, openParents: false);
        try
        {
            await RunAsync("initdb", ["-D", _dataDirectory, "--auth=scram-sha-256", "--username=postgres", $"--pwfile={pwfile}",
                "--encoding=UTF8", .. _durability == EmbeddedDurability.UnsafeFastForTests ? ["--no-sync"] : Array.Empty<string>()], cancellationToken);
        }
        finally
        {
            File.Delete(pwfile);
        }
        return false;
    }

    /// <summary>
    /// Our settings live in a file of their own, rewritten at every start and included last, so they also override what
    /// earlier versions appended to postgresql.conf (those turned fsync off). Authentication: SCRAM on the socket and on
    /// loopback, nothing else.
    /// </summary>
    private async Task WriteSettingsAsync(bool trustLocalSocketOnce, CancellationToken cancellationToken)
    {
        var unsafeFast = _durability == EmbeddedDurability.UnsafeFastForTests;
        var durability = unsafeFast ? "off" : "on";
        await File.WriteAllTextAsync(Path.Combine(_dataDirectory, SettingsFile),
            "# Written by the orchestrator at every start (EmbeddedPostgres); edits here are lost.\n" +
            "listen_addresses = '127.0.0.1'\nmax_connections = 300\nshared_buffers = 256MB\n" +
            $"fsync = {durability}\nfull_page_writes = {durability}\nsynchronous_commit = {durability}\n" +
            "password_encryption = 'scram-sha-256'\n", cancellationToken);
        var conf = Path.Combine(_dataDirectory, "postgresql.conf");
        var include = $"include_if_exists = '{SettingsFile}'";
        var text = await File.ReadAllTextAsync(conf, cancellationToken);
        if (!text.TrimEnd().EndsWith(include, StringComparison.Ordinal))
            await File.WriteAllTextAsync(conf, text.Replace(include, "").TrimEnd() + "\n" + include + "\n", cancellationToken);

        // A legacy cluster has no password yet: its local socket is trusted for the one connection that sets it.
        var socketMethod = trustLocalSocketOnce ? "trust" : "scram-sha-256";
        await File.WriteAllTextAsync(Path.Combine(_dataDirectory, "pg_hba.conf"),
            "# Written by the orchestrator at every start (EmbeddedPostgres): passwords everywhere, loopback only.\n" +
            $"local all all {socketMethod}\nhost all all 127.0.0.1/32 scram-sha-256\n", cancellationToken);
        // Only the files written here change owner (not the whole cluster, which may be large, at every start).
        foreach (var file in new[] { SettingsFile, "postgresql.conf", "pg_hba.conf" })
            await OwnAsync(Path.Combine(_dataDirectory, file), cancellationToken, openParents: false);
    }

    private async Task SecureLegacyClusterAsync(CancellationToken cancellationToken)
    {
        var overSocket = new NpgsqlConnectionStringBuilder
        {
            Host = SocketDirectory, Port = Port, Username = ServiceUser, Database = "postgres", Pooling = false,
        }.ConnectionString;
        await using (var connection = new NpgsqlConnection(overSocket))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"ALTER USER postgres PASSWORD '{_password}'", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await WriteSettingsAsync(trustLocalSocketOnce: false, cancellationToken);
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "reload"], cancellationToken);
    }

    private string SocketDirectory => Path.Combine(_dataDirectory, "socket");

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var socketDirectory = SocketDirectory;
        Directory.CreateDirectory(socketDirectory);
        await OwnAsync(socketDirectory, cancellationToken, openParents: false);
        if (await IsRunningAsync(cancellationToken))
        {
            await StopAsync();
        }
        var log = Path.Combine(_dataDirectory, "server.log");
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", log, "-w", "-t", "60",
            "-o", $"-p {Port} -k {socketDirectory} -h 127.0.0.1", "start"], cancellationToken);
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        var (code, _) = await RunRawAsync("pg_ctl", ["-D", _dataDirectory, "status"], cancellationToken);
        return code == 0;
    }

    public async Task StopAsync()
    {
        await RunRawAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);
    }

    /// <summary>Restarts the server (used by fault-survival tests).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartServerAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task OwnAsync(string path, CancellationToken cancellationToken, bool openParents = true)
    {
        if (!_runAsServiceUser || OperatingSystem.IsWindows()) return;
        await RunRawAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", path], cancellationToken, direct: true);
        if (!openParents) return;
        // The service user needs to reach the folder through its parents.
        for (var dir = Path.GetDirectoryName(path); !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            try
            {
                var mode = File.GetUnixFileMode(dir);
                if (!mode.HasFlag(UnixFileMode.OtherExecute)) File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute);
            }
            catch (UnauthorizedAccessException) { }
        }
    }

    private async Task RunAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await RunRawAsync(tool, arguments, cancellationToken);
        if (code != 0) throw new InvalidOperationException($"{tool} failed with exit code {code}: {output.Trim()}");
    }

    private async Task<(int Code, string Output)> RunRawAsync(string tool, string[] arguments, CancellationToken cancellationToken, bool direct = false)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var executable = direct ? tool : Path.Combine(_binDirectory, tool);
        if (_runAsServiceUser && !direct)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(ServiceUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(executable);
        }
        else
        {
            start.FileName = executable;
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        // pg_ctl start leaves the server holding inherited pipes: read until the tool itself exits, not to EOF.
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(500, cancellationToken)) is Task<string[]> both
            ? string.Concat(await both) : "";
        return (process.ExitCode, output);
    }

    private static string FindBinaries()
    {
        foreach (var candidate in Directory.Exists("/usr/lib/postgresql")
                     ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin"))
                     : [])
        {
            if (File.Exists(Path.Combine(candidate, "pg_ctl"))) return candidate;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            if (File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        }
        throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Provisioning.Orchestrator.Storage;



/// <summary>
/// A private PostgreSQL cluster (initdb + pg_ctl) in a folder of its own, listening on loopback only.
/// The run command's default store when no connection string is configured, and the tests' fallback
/// when no Docker engine answers.
/// Unix only (initdb, pg_ctl, runuser).
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly bool _runAsServiceUser;

    public int Port { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=60;No Reset On Close=true";
    public string DataDirectory => _dataDirectory;

    private EmbeddedPostgres(string dataDirectory, string binDirectory, int port, bool runAsServiceUser)
    {
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        _runAsServiceUser = runAsServiceUser;
    }

    /// <summary>Initialises the cluster if the folder is empty, then starts it (or reuses a running one).</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, int port = 0, CancellationToken cancellationToken = default)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var bin = FindBinaries();
        var asServiceUser = Environment.UserName == "root";
        if (port == 0) port = FreeLoopbackPort();
        var pg = new EmbeddedPostgres(dataDirectory, bin, port, asServiceUser);
        await pg.InitialiseAsync(cancellationToken);
        await pg.StartServerAsync(cancellationToken);
        return pg;
    }

    private async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION"))) return;
        Directory.CreateDirectory(_dataDirectory);
        await OwnAsync(_dataDirectory, cancellationToken);
        await RunAsync("initdb", ["-D", _dataDirectory, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync"], cancellationToken);
        // Tuned for a test/dev box: durability is traded for speed only where the folder is throw-away anyway.
        await File.AppendAllTextAsync(Path.Combine(_dataDirectory, "postgresql.conf"),
            "\nlisten_addresses = '127.0.0.1'\nmax_connections = 300\nshared_buffers = 256MB\nsynchronous_commit = off\nfsync = off\nfull_page_writes = off\n",
            cancellationToken);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var socketDirectory = Path.Combine(_dataDirectory, "socket");
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

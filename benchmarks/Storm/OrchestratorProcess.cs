using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Benchmarks.Storm;

/// <summary>The orchestrator under test (Release build, adapters hosted in-process) as a separate process on free ports.</summary>
public sealed class OrchestratorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly GrpcChannel _channel;
    private readonly List<string> _errors = [];
    /// <summary>Everything the orchestrator wrote, for reading a storm's failures afterwards (path in the report).</summary>
    private StreamWriter? _log;
    public string? LogPath { get; private set; }

    private OrchestratorProcess(Process process, string grpcUrl, Uri acsUrl, Uri uspUrl)
    {
        _process = process;
        GrpcUrl = grpcUrl;
        AcsUrl = acsUrl;
        UspWebSocketUrl = uspUrl;
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        // Auth is always on: every call carries the run's admin key.
        var invoker = _channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {AdminKey}");
            return metadata;
        });
        Provisioning = new ProvisioningService.ProvisioningServiceClient(invoker);
        Inventory = new InventoryService.InventoryServiceClient(invoker);
    }

    /// <summary>A live follower in a process of its own, with this run's admin key.</summary>
    public LagProbe StartLagProbe(long afterPosition, string output) => LagProbe.Start(GrpcUrl, AdminKey, afterPosition, output);

    /// <summary>Keys of this run only (configured through the environment, never printed).</summary>
    private static readonly string AdminKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    private static readonly string InternalKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>
    /// Operator-role keys of this run (never printed), one per caller of the stalled/slow follower crowd: the feed's
    /// per-caller cap counts streams per key, so how many keys they share decides which cap they meet.
    /// </summary>
    public IReadOnlyList<string> OperatorKeys { get; private init; } = [];

    public const string UspControllerEndpointId = "self::provisioning-controller";

    public int Pid => _process.Id;
    public string GrpcUrl { get; }
    public Uri AcsUrl { get; }
    public Uri UspWebSocketUrl { get; }
    public ProvisioningService.ProvisioningServiceClient Provisioning { get; }
    public InventoryService.InventoryServiceClient Inventory { get; }
    /// <summary>Warning/error lines the orchestrator wrote (the first few are kept for the report).</summary>
    public IReadOnlyList<string> Errors { get { lock (_errors) return [.. _errors]; } }
    public int ErrorLineCount { get; private set; }
    private readonly Dictionary<string, int> _categories = new(StringComparer.Ordinal);

    /// <summary>Warning/error lines per "level: Category[event id]", most frequent first.</summary>
    public IReadOnlyDictionary<string, int> ErrorCategories
    {
        get { lock (_errors) return _categories.OrderByDescending(c => c.Value).Take(12).ToDictionary(c => c.Key, c => c.Value); }
    }

    public static async Task<OrchestratorProcess> StartAsync(string dll, string connectionString, bool perfMap, IReadOnlyDictionary<string, string> extraSettings,
        int operatorKeys, string logPath, CancellationToken cancellationToken)
    {
        string Url() => $"http://127.0.0.1:{FreePort()}";
        var grpc = Url();
        var acs = Url();
        var usp = Url();
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = connectionString,
            ["Orchestrator__GrpcUrl"] = grpc,
            ["Orchestrator__HostAdapters"] = "true",
            ["Cwmp__AcsUrl"] = acs,
            ["Cwmp__GrpcUrl"] = Url(),
            ["Usp__WebSocketUrl"] = usp,
            ["Usp__WebSocketPath"] = "/usp",
            ["Usp__GrpcUrl"] = Url(),
            ["Usp__EndpointId"] = UspControllerEndpointId,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Auth__ApiKeys__storm-benchmark__Key"] = AdminKey,
            ["Auth__ApiKeys__storm-benchmark__Role"] = "admin",
            ["Auth__InternalKey"] = InternalKey,
            ["DOTNET_ENVIRONMENT"] = "Production",
            // As scripts/run.sh: a 64 MB gen0 budget (measured: ~4.2 instead of ~5.2 ms orchestrator CPU per workflow).
            ["DOTNET_GCgen0size"] = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "0x4000000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        var operators = Enumerable.Range(1, operatorKeys).Select(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(24))).ToList();
        for (var i = 0; i < operators.Count; i++)
        {
            env[$"Auth__ApiKeys__storm-operator-{i + 1}__Key"] = operators[i];
            env[$"Auth__ApiKeys__storm-operator-{i + 1}__Role"] = "operator";
        }
        env["Cwmp__OrchestratorUrl"] = grpc;
        env["Usp__OrchestratorUrl"] = grpc;
        env["Orchestrator__Adapters__Cwmp"] = env["Cwmp__GrpcUrl"];
        env["Orchestrator__Adapters__Usp"] = env["Usp__GrpcUrl"];
        foreach (var (key, value) in extraSettings) env[key] = value;
        if (perfMap)
        {
            env["DOTNET_PerfMapEnabled"] = "1";
            // JIT code in plain anonymous memory, so perf resolves it through the perf map.
            env["DOTNET_EnableWriteXorExecute"] = "0";
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.WorkingDirectory = Path.GetDirectoryName(dll)!;
        foreach (var (key, value) in env) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the orchestrator");
        var orchestrator = new OrchestratorProcess(process, grpc, new Uri(acs + "/"), new Uri(usp.Replace("http://", "ws://", StringComparison.Ordinal) + "/usp"))
        {
            _log = new StreamWriter(logPath) { AutoFlush = false },
            LogPath = logPath,
            OperatorKeys = operators,
        };
        process.OutputDataReceived += (_, e) => orchestrator.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => orchestrator.OnOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await orchestrator.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await orchestrator.DisposeAsync(); // never leave an orphaned orchestrator behind
            throw;
        }
        return orchestrator;
    }

    private bool _keepNextLine;

    private void OnOutput(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (_errors) _log?.WriteLine(line);
        if (_keepNextLine)
        {
            // The console logger writes "warn: Category[id]" and the message on the next line.
            _keepNextLine = false;
            lock (_errors) if (_errors.Count < 40) _errors[^1] += " " + line.Trim();
            return;
        }
        _keepNextLine = line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);
        if (line.StartsWith("warn", StringComparison.Ordinal) || line.StartsWith("fail", StringComparison.Ordinal) || line.StartsWith("crit", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal))
        {
            lock (_errors)
            {
                ErrorLineCount++;
                var category = line.Split(' ', 3) is { Length: >= 2 } parts ? parts[0] + " " + parts[1] : line;
                _categories[category] = _categories.GetValueOrDefault(category) + 1;
                if (_errors.Count < 40) _errors.Add(line);
                else _keepNextLine = false;
            }
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the orchestrator exited with {_process.ExitCode}: {string.Join('\n', Errors)}");
            try
            {
                await Inventory.ListServicePlansAsync(new ListServicePlansRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                // The adapters' listeners start with the host; make sure the ACS and the USP endpoint answer too.
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                using var response = await probe.GetAsync(AcsUrl, cancellationToken);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                throw new InvalidOperationException($"the orchestrator refused the benchmark's key: {e.Status.Detail}", e);
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or TaskCanceledException)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"the orchestrator did not become ready: {e.Message}");
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    public (double RssMb, double PeakRssMb)? Memory() => ProcessStats.Memory(_process.Id);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM: a graceful stop, as a service manager would.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        lock (_errors)
        {
            _log?.Dispose();
            _log = null;
        }
    }
}

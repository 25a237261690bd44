using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Provisioning.Simulators.Cwmp;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// <c>--scenario periodic</c>: the storm of a provisioned fleet's Informs that carry nothing new (Inform →
/// InformResponse → empty POST → 204, no workflow). N devices are registered and bootstrapped first (not measured),
/// then every device Informs at once in rounds: "2 PERIODIC" right away (the route is fresh), "2 PERIODIC" again after
/// a gap longer than the route's freshness interval (the orchestrator rewrote the route then), and "1 BOOT" after
/// another gap (the field's commonest storm: every device back after a regional power cut). Each round reports the
/// orchestrator's CPU per session (process CPU delta / sessions), sessions/s, p50/p99 session time and PostgreSQL's
/// CPU and transactions per session.
/// </summary>
public sealed class PeriodicStorm(StormOptions options, string repositoryRoot)
{
    /// <summary>Longer than the minute past which the orchestrator rewrote a device's route on every contact.</summary>
    private static readonly TimeSpan RouteRewriteGap = TimeSpan.FromSeconds(65);

    /// <summary>Devices of an unmeasured first round, so the measured ones run jitted code, as a running ACS does.</summary>
    private const int WarmupSessions = 200;

    /// <summary>A first run spent 2.8 ms of orchestrator CPU per session right after provisioning against 1.5 ms a minute later.</summary>
    private static readonly TimeSpan SettleAfterProvisioning = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan IdleSample = TimeSpan.FromSeconds(3);

    private static void Say(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}");

    public async Task<int> RunAsync()
    {
        var dll = options.OrchestratorDll ?? Path.Combine(repositoryRoot, "src/Launcher/bin/Release/net10.0/Provisioning.Launcher.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"build the orchestrator first ({dll} is missing)");
        using var overall = new CancellationTokenSource(options.Timeout + TimeSpan.FromMinutes(5));
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var outputDirectory = Path.GetFullPath(Path.Combine(repositoryRoot, options.OutputDirectory));
        Directory.CreateDirectory(outputDirectory);
        var devices = options.Devices;
        var report = new Dictionary<string, object?>
        {
            ["scenario"] = "periodic",
            ["devices"] = devices,
            ["route_rewrite_gap_s"] = RouteRewriteGap.TotalSeconds,
            ["orchestrator_environment"] = options.OrchestratorEnvironment.ToDictionary(e => e.Key, e => (object?)e.Value),
        };

        Say("starting PostgreSQL");
        await using var database = await StormDatabase.StartAsync(options.ConnectionString);
        var connectionString = await database.CreateDatabaseAsync($"periodic_{stamp.Replace("-", "_", StringComparison.Ordinal)}");
        if (!string.IsNullOrWhiteSpace(options.ConnectionOptions)) connectionString = connectionString.TrimEnd(';') + ";" + options.ConnectionOptions;
        await using var orchestrator = await OrchestratorProcess.StartAsync(dll, connectionString, options.Perf, options.OrchestratorEnvironment,
            operatorKeys: 0, Path.Combine(outputDirectory, $"orchestrator-{stamp}.log"), overall.Token);
        Say($"orchestrator pid {orchestrator.Pid}, ACS {orchestrator.AcsUrl}");
        report["orchestrator_log"] = orchestrator.LogPath;

        await StormRun.RegisterPlanAsync(orchestrator);
        var serials = Enumerable.Range(1, devices).Select(i => $"STP{i:D6}").ToList();
        await StormRun.RegisterAsync(orchestrator, serials, []);
        await using var fleet = new CwmpStorm();
        await fleet.StartAsync();
        foreach (var serial in serials) fleet.Add(serial, orchestrator.AcsUrl, StormRun.Password(serial));

        // Provisioning first (not measured): afterwards every device is known, provisioned, adopted and routed.
        var provisioning = Stopwatch.StartNew();
        await using (var follower = new EventFollower(orchestrator.Provisioning, serials, 0))
        {
            await Task.Delay(500, overall.Token);
            await fleet.RunAsync(options.EffectiveConcurrency(devices), overall.Token);
            try { await follower.AllTerminal.WaitAsync(options.Timeout, overall.Token); }
            catch (TimeoutException) { Say("not every provisioning workflow ended"); }
            var succeeded = follower.Terminal.Values.Count(t => t.Result == Provisioning.Contracts.Northbound.WorkflowResult.Success);
            Say($"provisioned {succeeded}/{devices} in {provisioning.Elapsed.TotalSeconds:F1} s");
            report["provisioned"] = succeeded;
        }
        // The async projections work through the provisioning's events for a while: not the Informs' cost.
        await Task.Delay(SettleAfterProvisioning, overall.Token);

        var cpes = fleet.Devices;
        await RoundAsync("warmup", cpes.Take(WarmupSessions).ToList(), "2 PERIODIC", orchestrator, database, connectionString, overall.Token);
        var rounds = new Dictionary<string, object?>
        {
            ["periodic_route_fresh"] = await RoundAsync("periodic, route fresh", cpes, "2 PERIODIC", orchestrator, database, connectionString, overall.Token),
        };
        await GapAsync(overall.Token);
        rounds["periodic_route_rewrite"] = await RoundAsync("periodic, after the gap", cpes, "2 PERIODIC", orchestrator, database, connectionString, overall.Token);
        await GapAsync(overall.Token);
        rounds["boot_route_rewrite"] = await RoundAsync("1 BOOT (power cut), after the gap", cpes, "1 BOOT", orchestrator, database, connectionString, overall.Token);
        report["rounds"] = rounds;
        report["orchestrator_warning_lines"] = orchestrator.ErrorLineCount;
        report["orchestrator_warnings_by_category"] = orchestrator.ErrorCategories.ToDictionary(c => c.Key, c => (object?)c.Value);

        var path = Path.Combine(outputDirectory, $"periodic-{stamp}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }), overall.Token);
        Console.WriteLine($"results: {path}");
        return 0;
    }

    private static async Task GapAsync(CancellationToken cancellationToken)
    {
        Say($"waiting {RouteRewriteGap.TotalSeconds:F0} s (past the route's freshness)");
        await Task.Delay(RouteRewriteGap, cancellationToken);
    }

    /// <summary>Every given device Informs once, all at once; the figures of that round.</summary>
    private async Task<Dictionary<string, object?>> RoundAsync(string name, IReadOnlyList<SimulatedCpe> cpes, string eventCode,
        OrchestratorProcess orchestrator, StormDatabase database, string connectionString, CancellationToken cancellationToken)
    {
        // What the orchestrator burns with no traffic (projection daemon polls, lease renewals, the LISTEN's
        // heartbeat): the round's wall time includes the wait for the seen-at batch, so this is said apart.
        var idle0 = ProcessStats.CpuSeconds(orchestrator.Pid);
        await Task.Delay(IdleSample, cancellationToken);
        var idlePerSecond = (ProcessStats.CpuSeconds(orchestrator.Pid) - idle0) / IdleSample.TotalSeconds;
        var profile = new StormProfile(orchestrator.Pid, database.PostmasterPid, connectionString);
        await profile.StartAsync();
        using var perf = options.Perf && name != "warmup"
            ? PerfRecorder.Start(orchestrator.Pid, Path.Combine(repositoryRoot, options.OutputDirectory, $"perf-periodic-{DateTime.UtcNow:HHmmss}.data"))
            : null;
        using var gate = new SemaphoreSlim(options.EffectiveConcurrency(cpes.Count));
        var wall = Stopwatch.StartNew();
        var results = await Task.WhenAll(cpes.Select(async cpe =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var started = Stopwatch.GetTimestamp();
                var result = await cpe.InformAsync(eventCode);
                return (result.Succeeded, Ms: Stopwatch.GetElapsedTime(started).TotalMilliseconds, result.Error, Workflow: result.RequestsFromAcs.Count > 0);
            }
            finally { gate.Release(); }
        }));
        var seconds = wall.Elapsed.TotalSeconds;
        // Seen-at updates the orchestrator coalesces are written a few seconds later: they belong to this round's cost.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        perf?.Stop();
        var figures = await profile.StopAsync(results.Length);
        var sorted = Percentiles.Sorted(results.Select(r => r.Ms));
        double PerSession(string key) => figures.GetValueOrDefault(key) is double total && results.Length > 0 ? Math.Round(total * 1000 / results.Length, 3) : double.NaN;
        var round = new Dictionary<string, object?>
        {
            ["event_code"] = eventCode,
            ["sessions"] = results.Length,
            ["failed"] = results.Count(r => !r.Succeeded),
            ["sessions_with_acs_requests"] = results.Count(r => r.Workflow),
            ["sessions_per_second"] = Math.Round(results.Length / Math.Max(0.001, seconds), 1),
            ["p50_ms"] = Math.Round(Percentiles.Of(sorted, 50), 1),
            ["p99_ms"] = Math.Round(Percentiles.Of(sorted, 99), 1),
            ["orchestrator_cpu_ms_per_session"] = PerSession("orchestrator_cpu_s"),
            ["orchestrator_idle_cpu_ms_per_s"] = Math.Round(idlePerSecond * 1000, 1),
            ["orchestrator_cpu_ms_per_session_less_idle"] = figures.GetValueOrDefault("orchestrator_cpu_s") is double cpu && figures.GetValueOrDefault("wall_s") is double roundWall && results.Length > 0
                ? Math.Round(Math.Max(0, cpu - idlePerSecond * roundWall) * 1000 / results.Length, 3) : double.NaN,
            ["postgres_cpu_ms_per_session"] = PerSession("postgres_cpu_s"),
            ["xact_per_session"] = figures["xact_per_workflow"],
            ["errors"] = results.Where(r => !r.Succeeded).GroupBy(r => r.Error ?? "?").Take(5).ToDictionary(g => g.Key, g => (object?)g.Count()),
            ["profile"] = figures,
        };
        if (perf is not null) round["perf_data"] = perf.OutputPath;
        Say($"{name}: {results.Length} sessions ({round["failed"]} failed) in {seconds:F1} s, {round["sessions_per_second"]}/s, p99 {round["p99_ms"]} ms; "
            + $"orchestrator {round["orchestrator_cpu_ms_per_session"]} ms CPU/session ({round["orchestrator_cpu_ms_per_session_less_idle"]} less idle), PostgreSQL {round["postgres_cpu_ms_per_session"]} ms, {round["xact_per_session"]} tx/session");
        return round;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Benchmarks.Storm;

/// <summary>One benchmark run: database, orchestrator process, registration, follower, storm, reference, report.</summary>
public sealed class StormRun(StormOptions options, string repositoryRoot)
{
    private readonly Dictionary<string, object?> _report = new();
    private readonly List<double> _rssSamples = [];
    private static readonly TimeSpan CrowdSettle = TimeSpan.FromSeconds(5);

    private static void Say(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}");

    public async Task<int> RunAsync()
    {
        var dll = options.OrchestratorDll ?? Path.Combine(repositoryRoot, "src/Launcher/bin/Release/net10.0/Provisioning.Launcher.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"build the launcher first: dotnet build -c Release src/Launcher ({dll} is missing)");
        using var overall = new CancellationTokenSource(options.Timeout + TimeSpan.FromMinutes(3));
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var outputDirectory = Path.GetFullPath(Path.Combine(repositoryRoot, options.OutputDirectory));
        Directory.CreateDirectory(outputDirectory);

        Say($"starting PostgreSQL ({(options.ConnectionString is null ? "private cluster in a temp folder" : "given server")})");
        await using var database = await StormDatabase.StartAsync(options.ConnectionString);
        var stormDb = WithOptions(await database.CreateDatabaseAsync($"storm_{stamp.Replace("-", "_", StringComparison.Ordinal)}"));

        Say($"starting the orchestrator: dotnet {dll}");
        int completed;
        var connectOnly = options.ConnectOnly > 0;
        var stormDevices = options.Devices;
        // Connect-only: agents not in the inventory stay connected (quarantined) instead of being refused and reconnecting.
        var extraSettings = new Dictionary<string, string>(options.OrchestratorEnvironment);
        if (connectOnly) extraSettings.TryAdd("Usp__UnknownAgents", "quarantine");
        _report["orchestrator_environment"] = extraSettings.ToDictionary(e => e.Key, e => (object?)e.Value);
        var crowdSize = options.StalledFollowers + options.SlowFollowers;
        await using (var orchestrator = await OrchestratorProcess.StartAsync(dll, stormDb, options.Perf, extraSettings,
                   crowdSize > 0 ? options.FollowerCallers : 0, Path.Combine(outputDirectory, $"orchestrator-{stamp}.log"), overall.Token))
        {
            Say($"orchestrator pid {orchestrator.Pid}, gRPC {orchestrator.GrpcUrl}, ACS {orchestrator.AcsUrl}, USP {orchestrator.UspWebSocketUrl}");
            _report["orchestrator_rss_idle_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
            _report["orchestrator_log"] = orchestrator.LogPath;
            using var sampling = new CancellationTokenSource();
            var sampler = SampleMemoryAsync(orchestrator, sampling.Token);

            await RegisterPlanAsync(orchestrator);
            var cwmpSerials = new List<string>();
            var uspSerials = new List<string>();
            if (!connectOnly)
            {
                var cwmpCount = options.Protocol switch { StormProtocol.Cwmp => stormDevices, StormProtocol.Usp => 0, _ => stormDevices / 2 };
                cwmpSerials.AddRange(Enumerable.Range(1, cwmpCount).Select(i => $"STC{i:D6}"));
                uspSerials.AddRange(Enumerable.Range(1, stormDevices - cwmpCount).Select(i => $"STU{i:D6}"));
                await RegisterAsync(orchestrator, cwmpSerials, uspSerials);
            }

            await using var cwmp = new CwmpStorm();
            await cwmp.StartAsync();
            await using var usp = new UspStorm();
            var trigger = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

            if (connectOnly)
            {
                await ConnectOnlyAsync(orchestrator, usp, overall.Token);
                uspSerials.AddRange(usp.Agents.Take(stormDevices).Select(a => a.Identity.SerialNumber));
                if (uspSerials.Count > 0) await RegisterAsync(orchestrator, [], uspSerials);
            }
            else
            {
                foreach (var serial in cwmpSerials) cwmp.Add(serial, orchestrator.AcsUrl, Password(serial));
                foreach (var serial in uspSerials) usp.Add(serial, orchestrator.UspWebSocketUrl, OrchestratorProcess.UspControllerEndpointId);
            }

            var afterPosition = await WarmUpAsync(orchestrator, overall.Token);
            var watched = cwmpSerials.Concat(uspSerials).ToList();
            await using var follower = new EventFollower(orchestrator.Provisioning, watched, afterPosition);
            using var probe = orchestrator.StartLagProbe(afterPosition, Path.Combine(outputDirectory, $"lag-probe-{stamp}.txt"));
            await Task.Delay(500); // the follow stream is open before the first contact
            var rssBeforeStorm = orchestrator.Memory()?.RssMb ?? 0;
            int firstStormSample;
            lock (_rssSamples) firstStormSample = _rssSamples.Count;
            await using var crowd = new FollowerCrowd(orchestrator.GrpcUrl, orchestrator.OperatorKeys, options.StalledFollowers, options.SlowFollowers);
            if (crowd.Count > 0)
            {
                Say($"opening {options.StalledFollowers} stalled and {options.SlowFollowers} slow followers over {options.FollowerCallers} operator key(s)");
                var cpu0 = ProcessStats.CpuSeconds(orchestrator.Pid);
                await crowd.OpenAsync(afterPosition, overall.Token);
                Say($"  {crowd.Accepted}/{crowd.Count} admitted in {crowd.OpenSeconds:F1} s; orchestrator RSS {orchestrator.Memory()?.RssMb:F0} MB; settling {CrowdSettle.TotalSeconds:F0} s");
                // Admitted stalled followers first read history until their HTTP/2 window is full: that cost is the
                // opening's (reported apart), so the storm meets followers that have already stalled, as in the issue.
                await Task.Delay(CrowdSettle, overall.Token);
                _report["crowd_open_orchestrator_cpu_s"] = Round(ProcessStats.CpuSeconds(orchestrator.Pid) - cpu0);
                _report["rss_crowd_open_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
            }
            var profile = new StormProfile(orchestrator.Pid, database.PostmasterPid, stormDb);
            await profile.StartAsync();
            await using var meters = StartMeters(orchestrator.Pid);
            using var perf = options.Perf ? PerfRecorder.Start(orchestrator.Pid, Path.Combine(outputDirectory, $"perf-{stamp}.data")) : null;

            var concurrency = options.EffectiveConcurrency(watched.Count);
            Say(watched.Count == 0 ? "no storm (connect-only)" : $"storm: {cwmpSerials.Count} CWMP devices and {uspSerials.Count} USP agents, {concurrency} at once");
            var stormStarted = DateTimeOffset.UtcNow;
            var exchanges0 = cwmp.Counter.Exchanges;
            var stormTasks = new List<Task>();
            if (cwmpSerials.Count > 0) stormTasks.Add(cwmp.RunAsync(Math.Min(concurrency, cwmpSerials.Count), overall.Token));
            if (uspSerials.Count > 0 && !connectOnly) stormTasks.Add(usp.StartAllAsync(options.UspStartRate, overall.Token));
            if (uspSerials.Count > 0 && connectOnly) stormTasks.Add(ProvisionConnectedAsync(orchestrator, uspSerials, concurrency, trigger, overall.Token));

            var finished = await WaitForTerminalAsync(follower, watched.Count, orchestrator, overall.Token);
            var stormEnded = DateTimeOffset.UtcNow;
            var feedStages = meters is null ? null : await meters.StopAsync();
            if (meters is { Messages.Count: > 0 }) Say($"metrics event source: {string.Join("; ", meters.Messages.Take(5))}");
            var profileFigures = await profile.StopAsync(follower.Terminal.Count);
            perf?.Stop();
            try { await Task.WhenAll(stormTasks).WaitAsync(TimeSpan.FromSeconds(finished ? 30 : 5)); }
            catch (TimeoutException) { Say("some simulator sessions were still open after the storm"); }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or RpcException) { Say($"storm driver: {e.Message}"); }

            var starts = new Dictionary<string, DateTimeOffset>(cwmp.FirstInformSent, StringComparer.Ordinal);
            foreach (var (serial, at) in usp.Started) starts[serial] = at;
            foreach (var (serial, at) in trigger) starts[serial] = at;
            completed = Summarise(follower, watched, starts, stormStarted, stormEnded, cwmp, exchanges0, cwmpSerials.Count);
            _report["profile"] = profileFigures;
            _report["feed_lag_by_stage_ms"] = FeedLagByStage(feedStages, follower.LagsMs());
            _report["store_commit_order_ms"] = await CommitOrder.MeasureAsync(stormDb, afterPosition, new Dictionary<string, List<(long, DateTimeOffset)>>
            {
                [""] = follower.Receipts(),
                [" (follower in its own process)"] = probe.Stop(),
            });
            if (perf is not null) _report["perf_data"] = perf.OutputPath;

            if (crowd.Count > 0) await ReleaseCrowdAsync(orchestrator, crowd, overall.Token);
            await crowd.DisposeAsync();
            // What the storm (and the crowd) left behind once it is over (an idle process keeps its heap; --crowd-waves tells kept from leaked).
            await Task.Delay(TimeSpan.FromSeconds(5), overall.Token);
            _report["rss_before_storm_mb"] = Round(rssBeforeStorm);
            lock (_rssSamples) _report["rss_peak_storm_mb"] = Round(_rssSamples.Skip(firstStormSample).DefaultIfEmpty(0).Max());
            _report["rss_after_storm_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
            if (crowdSize > 0 && options.CrowdWaves > 1) await FurtherCrowdWavesAsync(orchestrator, afterPosition, overall.Token);

            await sampling.CancelAsync();
            await sampler;
            var memory = orchestrator.Memory();
            _report["peak_rss_mb"] = Round(memory?.PeakRssMb ?? (_rssSamples.Count > 0 ? _rssSamples.Max() : 0));
            _report["rss_end_mb"] = Round(memory?.RssMb ?? 0);
            _report["orchestrator_warning_lines"] = orchestrator.ErrorLineCount;
            _report["orchestrator_warnings_by_category"] = orchestrator.ErrorCategories.ToDictionary(c => c.Key, c => (object?)c.Value);
            _report["orchestrator_warnings_sample"] = orchestrator.Errors.DistinctBy(e => e.Split(' ', 3).Length >= 2 ? e.Split(' ', 3)[1] : e).Take(10).ToList();
            Say($"orchestrator peak RSS {_report["peak_rss_mb"]} MB; {orchestrator.ErrorLineCount} warning/error lines");
        }

        if (options.Reference && completed > 0) await MeasureReferencesAsync(database, completed, stamp, overall.Token);
        else
        {
            _report["store_reference_per_second"] = null;
            _report["ratio_to_store"] = null;
            _report["raw_store_reference_per_second"] = null;
        }

        var path = Path.Combine(outputDirectory, $"storm-{stamp}.json");
        var ordered = Order(_report);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(ordered, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        PrintSummary(ordered);
        Console.WriteLine($"results: {path}");
        return 0;
    }

    /// <summary>
    /// The store's figures beside ours, each in a fresh database at the storm's concurrency: raw Npgsql (the physical
    /// limit), then Marten (the same transactions through Marten), so the report shows what each layer costs.
    /// </summary>
    private async Task MeasureReferencesAsync(StormDatabase database, int completed, string stamp, CancellationToken cancellationToken)
    {
        var concurrency = options.EffectiveConcurrency(completed);
        var rate = (double)_report["workflows_per_second"]!;
        var ourPostgresMs = (_report.GetValueOrDefault("profile") as Dictionary<string, object?>)?.GetValueOrDefault("postgres_cpu_ms_per_workflow") as double?;
        var suffix = stamp.Replace("-", "_", StringComparison.Ordinal);

        var rawDb = WithOptions(await database.CreateDatabaseAsync($"raw_{suffix}"));
        Say($"raw PostgreSQL reference: {completed} workflows, {concurrency} at once, same rows and transactions, Npgsql batches, no Marten");
        var raw = await RawStoreReference.RunAsync(rawDb, completed, concurrency, database.PostmasterPid, cancellationToken);
        _report["raw_store_reference_per_second"] = Round(raw.WorkflowsPerSecond);
        _report["raw_store_reference"] = raw;
        _report["ratio_to_raw_store"] = Math.Round(rate / raw.WorkflowsPerSecond, 3);
        Say($"raw reference {raw.WorkflowsPerSecond:F0} workflows/s ({raw.TransactionsPerSecond:F0} write tx/s; CPU per workflow: client {raw.ClientCpuMsPerWorkflow} ms, PostgreSQL {raw.PostgresCpuMsPerWorkflow} ms)");

        var refDb = WithOptions(await database.CreateDatabaseAsync($"ref_{suffix}"));
        Say($"Marten reference: {completed} workflows, {concurrency} at once, same transaction pattern, no HTTP/gRPC");
        var reference = await StoreReference.RunAsync(refDb, completed, concurrency, database.PostmasterPid, cancellationToken);
        _report["store_reference_per_second"] = Round(reference.WorkflowsPerSecond);
        _report["store_reference"] = reference;
        _report["ratio_to_store"] = Math.Round(rate / reference.WorkflowsPerSecond, 3);
        _report["marten_ratio_to_raw_store"] = Math.Round(reference.WorkflowsPerSecond / raw.WorkflowsPerSecond, 3);
        Say($"reference {reference.WorkflowsPerSecond:F0} workflows/s ({reference.TransactionsPerSecond:F0} write tx/s; CPU per workflow: client {reference.ClientCpuMsPerWorkflow} ms, PostgreSQL {reference.PostgresCpuMsPerWorkflow} ms; other processes {reference.OtherProcessesCpuS} s); ratio {_report["ratio_to_store"]}");

        // PostgreSQL CPU per workflow moves less with the box's other load than throughput does.
        _report["postgres_cpu_ms_per_workflow"] = new Dictionary<string, object?>
        {
            ["raw"] = raw.PostgresCpuMsPerWorkflow,
            ["marten"] = reference.PostgresCpuMsPerWorkflow,
            ["ours"] = ourPostgresMs,
            ["marten_to_raw"] = raw.PostgresCpuMsPerWorkflow > 0 ? Math.Round(reference.PostgresCpuMsPerWorkflow / raw.PostgresCpuMsPerWorkflow, 2) : null,
            ["ours_to_raw"] = ourPostgresMs is { } o && raw.PostgresCpuMsPerWorkflow > 0 ? Math.Round(o / raw.PostgresCpuMsPerWorkflow, 2) : null,
        };
    }

    private Dictionary<string, object?> Order(Dictionary<string, object?> report)
    {
        string[] first =
        [
            "devices", "protocol", "concurrency", "duration_s", "completed", "workflows_per_second", "p50_ms", "p95_ms", "p99_ms", "max_ms",
            "raw_store_reference_per_second", "store_reference_per_second", "ratio_to_raw_store", "ratio_to_store", "marten_ratio_to_raw_store", "postgres_cpu_ms_per_workflow", "feed_lag_by_stage_ms", "store_commit_order_ms", "delivery_lag_p50_ms", "delivery_lag_p99_ms", "delivery_lag_max_ms",
            "http_exchanges", "http_exchanges_per_second", "events_appended", "events_appended_per_second", "peak_rss_mb",
            "rss_before_storm_mb", "rss_crowd_open_mb", "rss_peak_storm_mb", "rss_crowd_held_mb", "crowd_open_orchestrator_cpu_s", "rss_after_storm_mb", "follower_stream_errors", "follower_last_stream_error",
            "stalled_followers", "non_success_count", "non_success",
        ];
        var ordered = new Dictionary<string, object?>();
        foreach (var key in first) if (report.TryGetValue(key, out var value)) ordered[key] = value;
        foreach (var (key, value) in report) ordered.TryAdd(key, value);
        return ordered;
    }

    /// <summary>
    /// Keeps the crowd open until <see cref="StormOptions.StalledHold"/> after its last follower opened (so the server's slow-follower
    /// timeout can fire even after a short storm), then reads each stalled one to its status.
    /// </summary>
    private async Task ReleaseCrowdAsync(OrchestratorProcess orchestrator, FollowerCrowd crowd, CancellationToken cancellationToken)
    {
        var hold = crowd.AllOpenAt + options.StalledHold - DateTimeOffset.UtcNow;
        if (hold > TimeSpan.Zero)
        {
            Say($"holding the crowd open {hold.TotalSeconds:F0} s more (--stalled-hold {options.StalledHold.TotalSeconds:F0})");
            await Task.Delay(hold, cancellationToken);
        }
        _report["rss_crowd_held_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
        await crowd.DrainAsync(TimeSpan.FromSeconds(3), cancellationToken);
        _report["stalled_followers"] = crowd.Figures();
        Say($"crowd: {string.Join(", ", crowd.Figures().Where(f => f.Value is int or long).Select(f => $"{f.Key}={f.Value}"))}");
    }

    /// <summary>
    /// The same crowd again, after the storm, wave after wave: memory a bounded feed merely keeps for reuse stays level
    /// from one wave to the next, memory it leaks grows with each.
    /// </summary>
    private async Task FurtherCrowdWavesAsync(OrchestratorProcess orchestrator, long afterPosition, CancellationToken cancellationToken)
    {
        var waves = new List<Dictionary<string, object?>>();
        for (var wave = 2; wave <= options.CrowdWaves; wave++)
        {
            var figures = new Dictionary<string, object?> { ["wave"] = wave };
            await using (var crowd = new FollowerCrowd(orchestrator.GrpcUrl, orchestrator.OperatorKeys, options.StalledFollowers, options.SlowFollowers))
            {
                await crowd.OpenAsync(afterPosition, cancellationToken);
                figures["accepted"] = crowd.Accepted;
                figures["rss_open_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
                var hold = crowd.AllOpenAt + options.StalledHold - DateTimeOffset.UtcNow;
                if (hold > TimeSpan.Zero) await Task.Delay(hold, cancellationToken);
                figures["rss_held_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
                await crowd.DrainAsync(TimeSpan.FromSeconds(3), cancellationToken);
                foreach (var (key, value) in crowd.Figures()) figures.TryAdd(key, value);
            }
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            figures["rss_after_mb"] = Round(orchestrator.Memory()?.RssMb ?? 0);
            Say($"crowd wave {wave}: {string.Join(", ", figures.Where(f => f.Value is not Dictionary<string, object?>).Select(f => $"{f.Key}={f.Value}"))}");
            waves.Add(figures);
        }
        _report["crowd_waves"] = waves;
    }

    private static void PrintSummary(Dictionary<string, object?> report)
    {
        foreach (var (key, value) in report)
        {
            if (value is string or int or long or double or bool or null)
                Console.WriteLine($"  {key,-34} {Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}");
        }
        foreach (var key in new[] { "results", "cwmp_session_errors", "orchestrator_warnings_by_category" })
            if (report.GetValueOrDefault(key) is Dictionary<string, object?> counts && counts.Count > 0)
                Console.WriteLine($"  {key,-34} {string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"))}");
        if (report.GetValueOrDefault("step_gaps_ms") is Dictionary<string, object?> gaps)
        {
            Console.WriteLine("  step gaps (between consecutive events of a workflow):");
            foreach (var (key, value) in gaps)
                if (value is Dictionary<string, object?> g) Console.WriteLine($"    {key,-58} n={g["count"],-6} p50={g["p50_ms"]} ms p99={g["p99_ms"]} ms");
        }
        if (report.GetValueOrDefault("feed_lag_by_stage_ms") is Dictionary<string, object?> stages)
        {
            Console.WriteLine("  feed lag by stage:");
            foreach (var (key, value) in stages)
                if (value is Dictionary<string, object?> g) Console.WriteLine($"    {key,-20} n={g["count"],-6} p50={g["p50"]} ms p99={g["p99"]} ms");
        }
        if (report.GetValueOrDefault("store_commit_order_ms") is Dictionary<string, object?> order)
            foreach (var (key, value) in order)
                if (value is Dictionary<string, object?> g) Console.WriteLine($"    store {key,-18} n={g["count"],-6} p50={g["p50"]} ms p99={g["p99"]} ms");
        if (report.GetValueOrDefault("profile") is Dictionary<string, object?> profile)
        {
            Console.WriteLine("  profile:");
            foreach (var (key, value) in profile)
            {
                if (value is Dictionary<string, object?> threads)
                    Console.WriteLine($"    {key,-32} {string.Join(", ", threads.Select(t => $"{t.Key}={t.Value}"))}");
                else if (value is List<Dictionary<string, object?>> statements)
                    foreach (var s in statements.Take(8)) Console.WriteLine($"    stmt {string.Join(" ", s.Select(kv => $"{kv.Key}={kv.Value}"))}");
                else Console.WriteLine($"    {key,-32} {Convert.ToString(value, CultureInfo.InvariantCulture)}");
            }
        }
    }

    /// <summary>The orchestrator's feed stage histograms for the storm (null, said once, where its diagnostics port is closed).</summary>
    private static MeterSession? StartMeters(int pid)
    {
        try { return MeterSession.Start(pid, "Provisioning.Orchestrator"); }
        catch (Exception e) when (e is Microsoft.Diagnostics.NETCore.Client.ServerNotAvailableException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            Say($"no feed stage figures: the orchestrator's diagnostics port did not answer ({e.Message})");
            return null;
        }
    }

    /// <summary>
    /// Where the follower's delivery lag goes: the feed's stages (cpe.feed.* histograms, merged from per-second
    /// quantiles), and send->receive, which no histogram sees: the follower's lag less the feed's commit->send, per
    /// percentile (so an estimate).
    /// </summary>
    private static Dictionary<string, object?>? FeedLagByStage(Dictionary<string, (double P50, double P99, long Count)>? histograms, double[] followerLags)
    {
        if (histograms is null) return null;
        Dictionary<string, object?> Figures(double p50, double p99, long count) => new() { ["p50"] = Round(p50), ["p99"] = Round(p99), ["count"] = count };
        var stages = new Dictionary<string, object?>();
        foreach (var (stage, instrument) in new[] { ("commit->notify", "cpe.feed.commit_to_notify"), ("notify->read", "cpe.feed.notify_to_read"), ("read->send", "cpe.feed.read_to_send"), ("commit->send", "cpe.feed.commit_to_send") })
        {
            stages[stage] = histograms.TryGetValue(instrument, out var h) ? Figures(h.P50, h.P99, h.Count) : null;
            // An instrument recorded with tags has its tag sets apart too.
            foreach (var (key, t) in histograms.Where(t => t.Key.StartsWith(instrument + "{", StringComparison.Ordinal)))
                stages[$"{stage} ({key[(instrument.Length + 1)..^1]})"] = Figures(t.P50, t.P99, t.Count);
        }
        var received = (P50: Percentiles.Of(followerLags, 50), P99: Percentiles.Of(followerLags, 99));
        stages["commit->receive"] = Figures(received.P50, received.P99, followerLags.Length);
        if (histograms.TryGetValue("cpe.feed.commit_to_send", out var sent))
            stages["send->receive"] = Figures(Math.Max(0, received.P50 - sent.P50), Math.Max(0, received.P99 - sent.P99), followerLags.Length);
        return stages;
    }

    private int Summarise(EventFollower follower, List<string> watched, Dictionary<string, DateTimeOffset> starts,
        DateTimeOffset stormStarted, DateTimeOffset stormEnded, CwmpStorm cwmp, long exchanges0, int cwmpDevices)
    {
        var terminal = follower.Terminal;
        var latencies = Percentiles.Sorted(watched.Where(s => terminal.ContainsKey(s) && starts.ContainsKey(s))
            .Select(s => (terminal[s].OccurredAt - starts[s]).TotalMilliseconds));
        var firstStart = starts.Count > 0 ? starts.Values.Min() : stormStarted;
        var lastTerminal = terminal.Count > 0 ? terminal.Values.Max(t => t.OccurredAt) : stormEnded;
        var duration = Math.Max(0.001, (lastTerminal - firstStart).TotalSeconds);
        var lags = follower.LagsMs();
        var nonSuccess = watched.Where(s => !terminal.TryGetValue(s, out var t) || t.Result != WorkflowResult.Success)
            .Select(s => terminal.TryGetValue(s, out var t)
                ? new NonSuccess(s, t.WorkflowId, ResultName(t.Result), StepName(t.FailedStep), t.Reason)
                : new NonSuccess(s, "", "no_terminal_event", follower.LastStep.TryGetValue(s, out var step) ? StepName(step) : "", "no terminal event seen before the timeout"))
            .ToList();
        var exchanges = cwmp.Counter.Exchanges - exchanges0;

        _report["devices"] = watched.Count;
        _report["protocol"] = options.Protocol.ToString().ToLowerInvariant();
        _report["concurrency"] = options.EffectiveConcurrency(watched.Count);
        _report["duration_s"] = Round(duration);
        _report["completed"] = terminal.Count;
        _report["succeeded"] = terminal.Values.Count(t => t.Result == WorkflowResult.Success);
        _report["workflows_per_second"] = Round(terminal.Count / duration);
        _report["p50_ms"] = Round(Percentiles.Of(latencies, 50));
        _report["p95_ms"] = Round(Percentiles.Of(latencies, 95));
        _report["p99_ms"] = Round(Percentiles.Of(latencies, 99));
        _report["max_ms"] = Round(latencies.Length > 0 ? latencies[^1] : 0);
        _report["delivery_lag_p50_ms"] = Round(Percentiles.Of(lags, 50));
        _report["delivery_lag_p99_ms"] = Round(Percentiles.Of(lags, 99));
        _report["delivery_lag_max_ms"] = Round(lags.Length > 0 ? lags[^1] : 0);
        _report["events_delivered"] = follower.Events;
        _report["follower_stream_errors"] = follower.StreamErrors;
        _report["follower_last_stream_error"] = follower.LastStreamError;
        _report["http_exchanges"] = exchanges;
        _report["http_exchanges_per_second"] = cwmpDevices > 0 ? Round(exchanges / duration) : 0;
        _report["http_failures"] = cwmp.Counter.Failures;
        _report["cwmp_sessions_failed"] = cwmp.Sessions.Values.Count(s => !s.Succeeded);
        _report["cwmp_session_retries"] = cwmp.Retries;
        _report["cwmp_failed_attempt_errors"] = CwmpStorm.TopErrors(cwmp.AllAttempts, 5);
        _report["cwmp_session_errors"] = CwmpStorm.TopErrors(cwmp.Sessions.Values, 5);
        _report["events_appended"] = follower.Events;
        _report["events_appended_per_second"] = Round(follower.Events / duration);
        _report["step_gaps_ms"] = StepGaps(follower, watched, starts);
        _report["results"] = terminal.Values.GroupBy(t => ResultName(t.Result)).ToDictionary(g => g.Key, g => (object?)g.Count());
        _report["non_success_count"] = nonSuccess.Count;
        _report["non_success"] = nonSuccess.Take(200).ToList();
        _report["time_base"] = "latency: first Inform sent / agent started (or ProvisionDevice called) -> terminal event occurred_at; lag: follower receive time - occurred_at; one clock";
        Say($"{terminal.Count}/{watched.Count} terminal in {duration:F1} s: {terminal.Count / duration:F0} workflows/s, p99 {Percentiles.Of(latencies, 99):F0} ms, {nonSuccess.Count} not success");
        return terminal.Count;
    }

    /// <summary>
    /// p50/p99 of the time between consecutive events of a workflow (and from the first contact to its first event):
    /// which step the storm's latency sits in.
    /// </summary>
    private static Dictionary<string, object?> StepGaps(EventFollower follower, List<string> watched, Dictionary<string, DateTimeOffset> starts)
    {
        var gaps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string key, double ms) { if (!gaps.TryGetValue(key, out var list)) gaps[key] = list = []; list.Add(ms); }
        foreach (var serial in watched)
        {
            if (!follower.Timeline.TryGetValue(serial, out var events) || events.Count == 0) continue;
            List<(string Type, DateTimeOffset At)> ordered;
            lock (events) ordered = [.. events];
            if (starts.TryGetValue(serial, out var start)) Add("contact->" + ordered[0].Type, (ordered[0].At - start).TotalMilliseconds);
            for (var i = 1; i < ordered.Count; i++) Add($"{ordered[i - 1].Type}->{ordered[i].Type}", (ordered[i].At - ordered[i - 1].At).TotalMilliseconds);
        }
        return gaps.OrderByDescending(g => g.Value.Count).ToDictionary(g => g.Key, g =>
        {
            var sorted = Percentiles.Sorted(g.Value);
            return (object?)new Dictionary<string, object?>
            {
                ["count"] = sorted.Length,
                ["p50_ms"] = Round(Percentiles.Of(sorted, 50)),
                ["p99_ms"] = Round(Percentiles.Of(sorted, 99)),
            };
        });
    }

    public sealed record NonSuccess(string SerialNumber, string WorkflowId, string Result, string Step, string Reason);

    // The contract's wire names (config_push_failed, push_config), as the CLI and the metrics spell them.
    private static string ResultName(WorkflowResult result) => Provisioning.Contracts.Naming.WireNames.Short(result);
    private static string StepName(WorkflowStep step) => Provisioning.Contracts.Naming.WireNames.Short(step);

    private async Task<bool> WaitForTerminalAsync(EventFollower follower, int expected, OrchestratorProcess orchestrator, CancellationToken cancellationToken)
    {
        if (expected == 0) return true;
        var deadline = DateTime.UtcNow + options.Timeout;
        var lastCount = -1;
        var lastProgress = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var done = await Task.WhenAny(follower.AllTerminal, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            if (done == follower.AllTerminal)
            {
                if (follower.AllTerminal.IsFaulted) { Say($"  follower failed: {follower.Failure?.Message}"); return false; }
                return true;
            }
            var count = follower.Terminal.Count;
            Say($"  {count}/{expected} terminal, {follower.Events} events, orchestrator RSS {orchestrator.Memory()?.RssMb:F0} MB"
                + (follower.StreamErrors > 0 ? $", follow stream broke {follower.StreamErrors}x ({follower.LastStreamError})" : ""));
            if (count != lastCount) { lastCount = count; lastProgress = DateTime.UtcNow; }
            else if (DateTime.UtcNow - lastProgress > TimeSpan.FromSeconds(Math.Min(120, options.Timeout.TotalSeconds / 2)))
            {
                Say("  no progress: giving up waiting");
                return false;
            }
        }
        return false;
    }

    private async Task SampleMemoryAsync(OrchestratorProcess orchestrator, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (orchestrator.Memory() is { } memory) lock (_rssSamples) _rssSamples.Add(memory.RssMb);
                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>USP scale run: agents not registered (no workflow; quarantined, not refused), all connected at once; orchestrator RSS per agent.</summary>
    private async Task ConnectOnlyAsync(OrchestratorProcess orchestrator, UspStorm usp, CancellationToken cancellationToken)
    {
        var agents = options.ConnectOnly;
        for (var i = 1; i <= agents; i++) usp.Add($"SCU{i:D6}", orchestrator.UspWebSocketUrl, OrchestratorProcess.UspControllerEndpointId);
        await Task.Delay(1000, cancellationToken);
        var baseline = orchestrator.Memory()?.RssMb ?? 0;
        Say($"connect-only: {agents} USP agents (not registered), orchestrator RSS before {baseline:F0} MB");
        var stopwatch = Stopwatch.StartNew();
        await usp.StartAllAsync(options.UspStartRate, cancellationToken);
        await usp.WaitAllConnectedAsync(options.Timeout, cancellationToken);
        var connectSeconds = stopwatch.Elapsed.TotalSeconds;
        var connected = usp.Connected;
        Say($"  {connected}/{agents} connected in {connectSeconds:F1} s; settling 10 s");
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        var memory = orchestrator.Memory();
        var stillConnected = usp.Connected;
        _report["usp_agents"] = agents;
        _report["usp_connected"] = stillConnected;
        _report["usp_connect_s"] = Round(connectSeconds);
        _report["usp_connects_per_second"] = Round(connected / Math.Max(0.001, connectSeconds));
        _report["usp_reconnects"] = usp.Agents.Sum(a => a.Statistics.Connects) - connected;
        _report["rss_before_agents_mb"] = Round(baseline);
        _report["rss_connected_mb"] = Round(memory?.RssMb ?? 0);
        _report["peak_rss_connected_mb"] = Round(memory?.PeakRssMb ?? 0);
        _report["rss_per_agent_kb"] = stillConnected > 0 ? Round(((memory?.RssMb ?? 0) - baseline) * 1024 / stillConnected) : 0;
        _report["benchmark_rss_mb"] = Round(Process.GetCurrentProcess().WorkingSet64 / 1048576.0);
        Say($"  {stillConnected} connected: orchestrator RSS {memory?.RssMb:F0} MB (peak {memory?.PeakRssMb:F0}), {_report["rss_per_agent_kb"]} KB per agent");
    }

    /// <summary>The storm over already-connected agents: ProvisionDevice for each (they connected before they were registered).</summary>
    private static async Task ProvisionConnectedAsync(OrchestratorProcess orchestrator, List<string> serials, int concurrency, Dictionary<string, DateTimeOffset> trigger, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var startedAt = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>();
        await Task.WhenAll(serials.Select(async serial =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                startedAt[serial] = DateTimeOffset.UtcNow;
                await orchestrator.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
                {
                    Device = new DeviceRef { SerialNumber = serial, Oui = UspStorm.Oui, ProductClass = "HGW-USP", Protocol = DeviceProtocol.Usp, EndpointId = UspStorm.EndpointIdOf(serial) },
                    RequestId = "storm-" + serial,
                }, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cancellationToken);
            }
            finally { gate.Release(); }
        }));
        lock (trigger) foreach (var (serial, at) in startedAt) trigger[serial] = at;
    }

    internal static string Password(string serial) => "pw-" + serial;

    private string WithOptions(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionOptions)) return connectionString;
        _report["connection_options"] = options.ConnectionOptions;
        return connectionString.TrimEnd(';') + ";" + options.ConnectionOptions;
    }

    /// <summary>
    /// A small storm first, not measured: a running ACS has its code jitted and its pools filled when a power cut
    /// hits. Returns the global position after it, so the measured follower starts there.
    /// </summary>
    private async Task<long> WarmUpAsync(OrchestratorProcess orchestrator, CancellationToken cancellationToken)
    {
        if (options.Warmup <= 0) return 0;
        var useUsp = options.Protocol != StormProtocol.Cwmp;
        var cwmpSerials = Enumerable.Range(1, useUsp ? options.Warmup / 2 : options.Warmup).Select(i => $"WMC{i:D6}").ToList();
        var uspSerials = useUsp ? Enumerable.Range(1, options.Warmup - cwmpSerials.Count).Select(i => $"WMU{i:D6}").ToList() : [];
        await RegisterAsync(orchestrator, cwmpSerials, uspSerials);
        await using var cwmp = new CwmpStorm();
        await cwmp.StartAsync();
        await using var usp = new UspStorm();
        foreach (var serial in cwmpSerials) cwmp.Add(serial, orchestrator.AcsUrl, Password(serial));
        foreach (var serial in uspSerials) usp.Add(serial, orchestrator.UspWebSocketUrl, OrchestratorProcess.UspControllerEndpointId);
        await using var follower = new EventFollower(orchestrator.Provisioning, cwmpSerials.Concat(uspSerials), 0);
        var stopwatch = Stopwatch.StartNew();
        var sessions = cwmpSerials.Count > 0 ? cwmp.RunAsync(cwmpSerials.Count, cancellationToken) : Task.CompletedTask;
        await usp.StartAllAsync(0, cancellationToken);
        try { await follower.AllTerminal.WaitAsync(TimeSpan.FromSeconds(90), cancellationToken); }
        catch (TimeoutException) { Say("  warm-up: not every workflow ended within 90 s"); }
        try { await sessions.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken); } catch (TimeoutException) { }
        Say($"warm-up: {follower.Terminal.Count}/{options.Warmup} workflows ended in {stopwatch.Elapsed.TotalSeconds:F1} s ({follower.Terminal.Values.Count(t => t.Result == WorkflowResult.Success)} success)");
        _report["warmup_devices"] = options.Warmup;
        await Task.Delay(1000, cancellationToken);
        return follower.LastPosition;
    }

    internal static async Task RegisterPlanAsync(OrchestratorProcess orchestrator)
    {
        await orchestrator.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest
        {
            Plan = new ServicePlan
            {
                Name = StoreReference.PlanName,
                Description = "Storm benchmark: data, dual-band Wi-Fi, one VoIP line, IPTV",
                DataEnabled = true,
                IptvEnabled = true,
                Vlans = new Vlans { DataVlan = 100, VoipVlan = 200, IptvVlan = 300 },
                PeriodicInformInterval = 3600,
                Wifi =
                {
                    new WifiNetwork { Band = "2.4GHz", Ssid = "Storm-Home", Key = "storm-wifi-key-24", Enabled = true },
                    new WifiNetwork { Band = "5GHz", Ssid = "Storm-Home-5G", Key = "storm-wifi-key-5g", Enabled = true },
                },
                VoipLines = { new VoipLine { Line = 1, DirectoryNumber = "+3215550100", SipUsername = "storm-sip", SipPassword = "storm-sip-secret", Registrar = "sip.storm.example" } },
            },
        }, deadline: DateTime.UtcNow.AddSeconds(30));
    }

    internal static async Task RegisterAsync(OrchestratorProcess orchestrator, IReadOnlyList<string> cwmp, IReadOnlyList<string> usp)
    {
        var stopwatch = Stopwatch.StartNew();
        var devices = cwmp.Select(serial => new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
            CustomerId = "CUST-" + serial, ServicePlan = StoreReference.PlanName, LocationId = "BENCH",
            CwmpUsername = serial, CwmpPassword = Password(serial),
            // The simulated CPE's Connection Request credentials (SimulatedCpeOptions defaults).
            ConnectionRequestUsername = "cr-user", ConnectionRequestPassword = "cr-pass",
        }).Concat(usp.Select(serial => new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = UspStorm.Oui, ProductClass = "HGW-USP", Protocol = DeviceProtocol.Usp, EndpointId = UspStorm.EndpointIdOf(serial) },
            CustomerId = "CUST-" + serial, ServicePlan = StoreReference.PlanName, LocationId = "BENCH",
            // Agents authenticate at the upgrade, as in the field.
            AgentSecret = UspStorm.AgentSecret,
        })).ToList();
        foreach (var chunk in devices.Chunk(1000))
        {
            var request = new UpsertDevicesRequest();
            request.Devices.AddRange(chunk);
            await orchestrator.Inventory.UpsertDevicesAsync(request, deadline: DateTime.UtcNow.AddSeconds(120));
        }
        Say($"registered {devices.Count} devices in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    private static double Round(double value) => Math.Round(value, 1);
}

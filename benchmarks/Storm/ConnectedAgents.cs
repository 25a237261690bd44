using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.Json;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// <c>--scenario connected --devices N</c>: N registered USP agents connect over WebSocket, each is provisioned by
/// its workflow, and all stay connected and idle afterwards. Reported: the launcher's (orchestrator + USP controller +
/// ACS) RSS, working set, GC heap and committed bytes before the agents, with them idle (after an induced full GC,
/// so the heap is what they hold, not garbage), and after they have gone; per agent, the difference over the
/// agents still connected. The agents run in this process: its RSS is not the orchestrator's.
/// </summary>
public sealed class ConnectedAgents(StormOptions options, string repositoryRoot)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(15);

    private static void Say(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}");

    public async Task<int> RunAsync()
    {
        var dll = options.OrchestratorDll ?? Path.Combine(repositoryRoot, "src/Launcher/bin/Release/net10.0/Provisioning.Launcher.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"build the launcher first: dotnet build -c Release src/Launcher ({dll} is missing)");
        using var overall = new CancellationTokenSource(options.Timeout + TimeSpan.FromMinutes(5));
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var outputDirectory = Path.GetFullPath(Path.Combine(repositoryRoot, options.OutputDirectory));
        Directory.CreateDirectory(outputDirectory);
        var agents = options.Devices;
        // Every agent's WebSocket is one open file in the orchestrator: its USP listener's share of the limit (35 %)
        // would refuse most of 20,000, so the run gives the listener what the agents need.
        var settings = new Dictionary<string, string>(options.OrchestratorEnvironment);
        settings.TryAdd("Limits__Connections__usp", (agents + 100).ToString(CultureInfo.InvariantCulture));
        var report = new Dictionary<string, object?>
        {
            ["scenario"] = "connected",
            ["agents"] = agents,
            ["usp_rate"] = options.UspStartRate,
            ["open_file_limit"] = OpenFiles(),
            ["orchestrator_environment"] = settings.ToDictionary(e => e.Key, e => (object?)e.Value),
            ["load_average_start"] = LoadAverage(),
        };

        Say("starting PostgreSQL");
        await using var database = await StormDatabase.StartAsync(options.ConnectionString);
        var connectionString = await database.CreateDatabaseAsync($"connected_{stamp.Replace("-", "_", StringComparison.Ordinal)}");
        if (!string.IsNullOrWhiteSpace(options.ConnectionOptions)) connectionString = connectionString.TrimEnd(';') + ";" + options.ConnectionOptions;
        await using var orchestrator = await OrchestratorProcess.StartAsync(dll, connectionString, options.Perf, settings,
            operatorKeys: 0, Path.Combine(outputDirectory, $"orchestrator-{stamp}.log"), overall.Token);
        Say($"orchestrator pid {orchestrator.Pid}, USP {orchestrator.UspWebSocketUrl}");
        report["orchestrator_log"] = orchestrator.LogPath;

        await StormRun.RegisterPlanAsync(orchestrator);
        var serials = Enumerable.Range(1, agents).Select(i => $"SCA{i:D6}").ToList();
        await StormRun.RegisterAsync(orchestrator, [], serials);
        await Task.Delay(TimeSpan.FromSeconds(3), overall.Token);
        var before = await MemoryAsync(orchestrator.Pid);
        report["before_agents"] = before;
        Say($"before the agents: {Describe(before)}");

        // Disposed once, below (disconnecting is measured); a failed run ends the process and its sockets.
        var usp = new UspStorm();
        foreach (var serial in serials) usp.Add(serial, orchestrator.UspWebSocketUrl, OrchestratorProcess.UspControllerEndpointId);
        var provisioning = Stopwatch.StartNew();
        await using (var follower = new EventFollower(orchestrator.Provisioning, serials, 0))
        {
            await Task.Delay(500, overall.Token);
            await usp.StartAllAsync(options.UspStartRate, overall.Token);
            var deadline = DateTime.UtcNow + options.Timeout;
            while (!follower.AllTerminal.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.WhenAny(follower.AllTerminal, Task.Delay(TimeSpan.FromSeconds(10), overall.Token));
                Say($"  {usp.Connected}/{agents} connected, {follower.Terminal.Count} workflows ended, orchestrator RSS {orchestrator.Memory()?.RssMb:F0} MB");
            }
            var results = follower.Terminal.Values.GroupBy(t => Provisioning.Contracts.Naming.WireNames.Short(t.Result)).ToDictionary(g => g.Key, g => (object?)g.Count());
            report["provisioning_s"] = Math.Round(provisioning.Elapsed.TotalSeconds, 1);
            report["results"] = results;
            report["provisioned"] = follower.Terminal.Values.Count(t => t.Result == WorkflowResult.Success);
            Say($"provisioned {report["provisioned"]}/{agents} in {provisioning.Elapsed.TotalSeconds:F1} s");
        }
        // The async projections and the workflows' leftovers settle; then the agents are only idle connections.
        await Task.Delay(Settle, overall.Token);
        var peakDuring = orchestrator.Memory()?.PeakRssMb ?? 0;
        var connected = usp.Connected;
        var idle = await MemoryAsync(orchestrator.Pid);
        report["connected"] = connected;
        report["reconnects"] = usp.Agents.Sum(a => a.Statistics.Connects) - connected;
        report["connected_idle"] = idle;
        report["peak_rss_mb"] = Math.Round(peakDuring, 1);
        report["per_agent"] = PerAgent(before, idle, connected);
        report["load_average_connected"] = LoadAverage();
        report["benchmark_rss_mb"] = Math.Round(Process.GetCurrentProcess().WorkingSet64 / 1048576.0, 1);
        Say($"{connected} connected and idle: {Describe(idle)}; peak RSS {peakDuring:F0} MB");

        var heapConnected = await HeapAsync(orchestrator.Pid);
        foreach (var t in heapConnected.Take(15)) Say($"  live: {t.Bytes / 1048576.0,8:F1} MB {t.Count,9} {t.Type}");

        Say("disconnecting the agents");
        await usp.DisposeAsync();
        await Task.Delay(Settle, overall.Token);
        var after = await MemoryAsync(orchestrator.Pid);
        report["after_agents_gone"] = after;
        var heapGone = await HeapAsync(orchestrator.Pid);
        // What a connection holds: the live heap by type with the agents connected, less after they have gone.
        var gone = heapGone.ToDictionary(t => t.Type, StringComparer.Ordinal);
        report["heap_per_connected_agent_by_type"] = heapConnected
            .Select(t => (t.Type, Count: t.Count - (gone.GetValueOrDefault(t.Type)?.Count ?? 0), Bytes: t.Bytes - (gone.GetValueOrDefault(t.Type)?.Bytes ?? 0)))
            .OrderByDescending(t => t.Bytes).Take(40)
            .Select(t => new Dictionary<string, object?> { ["type"] = t.Type, ["per_agent_count"] = Math.Round((double)t.Count / Math.Max(1, connected), 2), ["per_agent_bytes"] = t.Bytes / Math.Max(1, connected) })
            .ToList();
        report["heap_by_type_connected"] = heapConnected.Take(25).ToList();
        Say($"after the agents have gone: {Describe(after)}");

        var path = Path.Combine(outputDirectory, $"connected-{stamp}.json");
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(path, json, overall.Token);
        Console.WriteLine(json);
        Console.WriteLine($"results: {path}");
        return 0;
    }

    private static Dictionary<string, object?> PerAgent(Dictionary<string, double> before, Dictionary<string, double> idle, int connected)
    {
        if (connected == 0) return [];
        return idle.Keys.Where(k => k.EndsWith("_mb", StringComparison.Ordinal) && before.ContainsKey(k)).ToDictionary(k => k.Replace("_mb", "_bytes", StringComparison.Ordinal),
            k => (object?)Math.Round((idle[k] - before[k]) * 1048576.0 / connected));
    }

    private static string Describe(Dictionary<string, double> m) =>
        $"RSS {m.GetValueOrDefault("rss_mb"):F0} MB, GC heap {m.GetValueOrDefault("gc_heap_size_mb"):F0} MB, GC committed {m.GetValueOrDefault("gc_committed_mb"):F0} MB";

    /// <summary>
    /// RSS from /proc, then the runtime's counters (System.Runtime event counters over EventPipe, as dotnet-counters
    /// reads them) after a full GC that the session induces (the GCHeapCollect keyword, as dotnet-gcdump uses).
    /// </summary>
    private static async Task<Dictionary<string, double>> MemoryAsync(int pid)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        // As the process is left by its own GC (an idle process may not collect for a long time after a storm's peak).
        if (ProcessStats.Memory(pid) is { } untouched) result["rss_before_induced_gc_mb"] = Math.Round(untouched.RssMb, 1);
        try
        {
            var client = new DiagnosticsClient(pid);
            using (var gc = client.StartEventPipeSession([new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x800000 | 0x1)], requestRundown: false))
            {
                var drain = Task.Run(() => { try { gc.EventStream.CopyTo(Stream.Null); } catch (Exception e) when (e is IOException or ObjectDisposedException) { } });
                await Task.Delay(TimeSpan.FromSeconds(2));
                await gc.StopAsync(CancellationToken.None);
                await drain;
            }
            var counters = new Dictionary<string, double>(StringComparer.Ordinal);
            using var session = client.StartEventPipeSession([new EventPipeProvider("System.Runtime", EventLevel.Informational, 0xffffffff,
                new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" })], requestRundown: false);
            var source = new EventPipeEventSource(session.EventStream);
            source.Dynamic.All += e =>
            {
                if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
                    || outer.TryGetValue("Payload", out var inner) is false || inner is not IDictionary<string, object> payload) return;
                if (payload.TryGetValue("Name", out var name) && payload.TryGetValue("Mean", out var mean) && mean is double value)
                    lock (counters) counters[(string)name] = value;
            };
            var processing = Task.Run(source.Process);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await session.StopAsync(CancellationToken.None);
            await processing;
            lock (counters)
            {
                // Megabytes, as the runtime publishes them.
                foreach (var (counter, key) in new[] { ("gc-heap-size", "gc_heap_size_mb"), ("gc-committed", "gc_committed_mb"), ("working-set", "working_set_mb"),
                             ("gen-2-size", "gen2_mb"), ("loh-size", "loh_mb"), ("poh-size", "poh_mb"), ("gc-fragmentation", "gc_fragmentation_percent") })
                    if (counters.TryGetValue(counter, out var v)) // The generation sizes come in bytes.
                        result[key] = counter is "gen-2-size" or "loh-size" or "poh-size" ? Math.Round(v / 1048576.0, 1) : Math.Round(v, 1);
            }
        }
        catch (Exception e) when (e is ServerNotAvailableException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            Say($"no runtime counters: the orchestrator's diagnostics port did not answer ({e.Message})");
        }
        // Last, so the RSS is read after the induced GC.
        if (ProcessStats.Memory(pid) is { } memory) result["rss_mb"] = Math.Round(memory.RssMb, 1);
        result["threads"] = Directory.Exists($"/proc/{pid}/task") ? Directory.GetDirectories($"/proc/{pid}/task").Length : 0;
        result["open_files"] = Directory.Exists($"/proc/{pid}/fd") ? Directory.GetFiles($"/proc/{pid}/fd").Length : 0;
        return result;
    }

    private static async Task<List<HeapByType.TypeSize>> HeapAsync(int pid)
    {
        try { return await HeapByType.CollectAsync(pid, 400, TimeSpan.FromSeconds(15)); }
        catch (Exception e) when (e is ServerNotAvailableException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            Say($"no heap by type: {e.Message}");
            return [];
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";

    private static string OpenFiles() =>
        File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?.Trim() ?? "";
}

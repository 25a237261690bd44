using System.Globalization;

namespace Provisioning.Benchmarks.Storm;

public enum StormProtocol { Cwmp, Usp, Mix }

/// <summary>What one benchmark run does; parsed from the command line (see <see cref="Usage"/>).</summary>
public sealed record StormOptions
{
    public int Devices { get; init; } = 10_000;
    public StormProtocol Protocol { get; init; } = StormProtocol.Cwmp;
    /// <summary>Sessions/agents started at once; 0 = every device at once (a real storm).</summary>
    public int Concurrency { get; init; }
    /// <summary>USP scale run: connect this many agents (not registered, so no workflow starts), measure memory.</summary>
    public int ConnectOnly { get; init; }
    /// <summary>USP agents started per second (0 = all at once).</summary>
    public int UspStartRate { get; init; }
    public string? ConnectionString { get; init; }
    public string? OrchestratorDll { get; init; }
    public string OutputDirectory { get; init; } = "benchmark-results";
    public bool Reference { get; init; } = true;
    public bool Perf { get; init; }
    public bool Smoke { get; init; }
    /// <summary>Npgsql keywords appended to the orchestrator's (and the reference's) connection string, e.g. "No Reset On Close=true".</summary>
    public string? ConnectionOptions { get; init; }
    /// <summary>Extra environment for the orchestrator process (e.g. DOTNET_gcServer=0 to see what the GC mode costs).</summary>
    public IReadOnlyDictionary<string, string> OrchestratorEnvironment { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// Devices bootstrapped before the measured storm so the orchestrator is warm (JIT, pools), as a running ACS is.
    /// After 100 much of the hot path still ran unoptimised code: 17–18 ms orchestrator CPU per workflow against 12–14
    /// after 600 (2,000-device storms).
    /// </summary>
    public int Warmup { get; init; } = 500;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Followers (operator keys) that open StreamProvisioningEvents from position 0 and never read (issue #16).</summary>
    public int StalledFollowers { get; init; }
    /// <summary>Followers (operator keys) that open StreamProvisioningEvents live and read one event a second.</summary>
    public int SlowFollowers { get; init; }
    /// <summary>Operator keys the stalled and slow followers are spread over (1: one OSS's key, as in the issue).</summary>
    public int FollowerCallers { get; init; } = 1;
    /// <summary>
    /// How long the stalled followers stay open, from when the last of them opened, before they are drained and closed: longer than
    /// Feed:SlowFollowerTimeout (30 s), so the server's ending of them is seen even when the storm is shorter.
    /// </summary>
    public TimeSpan StalledHold { get; init; } = TimeSpan.FromSeconds(40);
    /// <summary>The crowd opened this many times in all (further waves after the storm): is its memory kept or leaked?</summary>
    public int CrowdWaves { get; init; } = 1;
    /// <summary>"bootstrap" (default) or "periodic" (<see cref="PeriodicStorm"/>: registered devices' periodic Informs).</summary>
    public string Scenario { get; init; } = "bootstrap";

    public const string Usage = """
        usage: Provisioning.Benchmarks.Storm [--devices N] [--protocol cwmp|usp|mix] [--concurrency C]
               [--connect-only N] [--usp-rate R] [--warmup W] [--smoke] [--connection-string CS] [--orchestrator PATH.dll]
               [--output DIR] [--no-reference] [--perf] [--timeout SECONDS]
               [--stalled-followers N] [--slow-followers N] [--follower-callers K] [--stalled-hold SECONDS] [--crowd-waves W]
          --devices N        devices bootstrapped in the storm (default 10000; with --connect-only: agents provisioned over the connected ones, default 0)
          --protocol P       cwmp (default), usp, or mix (half each)
          --concurrency C    CWMP sessions / USP agents started at once (default: all)
          --connect-only N   USP scale run: N agents connected at once, orchestrator memory per agent
          --usp-rate R       USP agents started per second (default: all at once)
          --warmup W         devices bootstrapped first, not measured, so the orchestrator is warm (default 500)
          --smoke            50 devices, finishes in well under a minute
          --orchestrator-env KEY=VALUE  extra environment for the orchestrator (repeatable), e.g. DOTNET_gcServer=0
          --connection-options "K=V;..."  Npgsql keywords added to the storm's and the reference's connection strings
          --perf             perf record the orchestrator during the storm (perf map enabled)
          --stalled-followers N  N event followers (operator key) open from position 0 and never read, beside the measured one
          --slow-followers N     N event followers (operator key) follow live and read one event a second
          --follower-callers K   operator keys the stalled and slow followers are spread over (default 1)
          --stalled-hold S       the stalled/slow followers stay open S seconds after the last opened, at least the storm (default 40)
          --crowd-waves W        open the crowd W times in all (W-1 more after the storm) and report RSS per wave (default 1)
          --scenario S       bootstrap (default) or periodic: N provisioned devices' periodic Informs (see PeriodicStorm),
                             or connected: N registered USP agents provisioned, then held idle; orchestrator RSS per agent (see ConnectedAgents)
        """;

    public static StormOptions Parse(string[] args)
    {
        var options = new StormOptions();
        var devicesGiven = false;
        var warmupGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            devicesGiven |= args[i] == "--devices";
            warmupGiven |= args[i] == "--warmup";
            options = args[i] switch
            {
                "--devices" => options with { Devices = NextInt() },
                "--protocol" => options with { Protocol = Enum.Parse<StormProtocol>(Next(), ignoreCase: true) },
                "--concurrency" => options with { Concurrency = NextInt() },
                "--connect-only" => options with { ConnectOnly = NextInt(), Protocol = StormProtocol.Usp },
                "--usp-rate" => options with { UspStartRate = NextInt() },
                "--smoke" => options with { Smoke = true },
                "--warmup" => options with { Warmup = NextInt() },
                "--connection-options" => options with { ConnectionOptions = Next() },
                "--orchestrator-env" => options with { OrchestratorEnvironment = WithSetting(options.OrchestratorEnvironment, Next()) },
                "--connection-string" => options with { ConnectionString = Next() },
                "--orchestrator" => options with { OrchestratorDll = Next() },
                "--output" => options with { OutputDirectory = Next() },
                "--no-reference" => options with { Reference = false },
                "--perf" => options with { Perf = true },
                "--scenario" => options with { Scenario = Next().ToLowerInvariant() },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(NextInt()) },
                "--stalled-followers" => options with { StalledFollowers = NextInt() },
                "--slow-followers" => options with { SlowFollowers = NextInt() },
                "--follower-callers" => options with { FollowerCallers = NextInt() },
                "--stalled-hold" => options with { StalledHold = TimeSpan.FromSeconds(NextInt()) },
                "--crowd-waves" => options with { CrowdWaves = NextInt() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (options.Smoke && !devicesGiven) options = options with { Devices = 50, Warmup = Math.Min(options.Warmup, 20), Timeout = TimeSpan.FromSeconds(45) };
        if (options.ConnectOnly > 0 && !devicesGiven) options = options with { Devices = 0 };
        // Near 20,000 agents both ends of every WebSocket are on this box, at its limit of open files: a warm-up's
        // extra CPE sessions then fail with "too many open files" (19,500 agents + 500 warm-up devices did).
        if (options.ConnectOnly > 0 && !warmupGiven) options = options with { Warmup = 0 };
        if (options.Devices < 0 || options.ConnectOnly < 0 || options.StalledFollowers < 0 || options.SlowFollowers < 0)
            throw new ArgumentException("counts must not be negative");
        if (options.FollowerCallers < 1 || options.CrowdWaves < 1) throw new ArgumentException("--follower-callers and --crowd-waves must be at least 1");
        if (options.ConnectOnly > 0 && options.Devices > options.ConnectOnly)
            throw new ArgumentException("--devices must not exceed --connect-only (the storm runs over the connected agents)");
        return options;
    }

    private static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw new ArgumentException($"--orchestrator-env wants KEY=VALUE, not {assignment}");
        return new Dictionary<string, string>(settings) { [assignment[..equals]] = assignment[(equals + 1)..] };
    }

    public int EffectiveConcurrency(int devices) => Concurrency > 0 ? Math.Min(Concurrency, Math.Max(1, devices)) : Math.Max(1, devices);
}

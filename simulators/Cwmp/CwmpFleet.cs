using System.Collections.Concurrent;
using System.Diagnostics;

namespace Provisioning.Simulators.Cwmp;

public sealed record CwmpFleetOptions
{
    /// <summary>Where the fleet's Connection Request listener binds (also the host in each ConnectionRequestURL).</summary>
    public string ConnectionRequestHost { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port.</summary>
    public int ConnectionRequestPort { get; init; }
}

public sealed record FleetSummary(int Devices, int Succeeded, int Failed, TimeSpan Elapsed, IReadOnlyDictionary<string, int> Errors)
{
    /// <summary>Sessions that failed and were tried again (TR-069 3.2.1.1), over the whole fleet.</summary>
    public int Retries { get; init; }

    public double SessionsPerSecond => Elapsed.TotalSeconds > 0 ? (Succeeded + Failed) / Elapsed.TotalSeconds : 0;

    public override string ToString() =>
        $"{Devices} devices: {Succeeded} sessions ok, {Failed} failed in {Elapsed.TotalSeconds:F1} s ({SessionsPerSecond:F0}/s), {Retries} retries"
        + string.Concat(Errors.OrderByDescending(e => e.Value).Take(5).Select(e => $"\n  {e.Value} x {e.Key}"));
}

/// <summary>
/// Many simulated CPEs in one process: one pooled HttpClient for all (each device keeps its own cookies),
/// one Connection Request listener with a path per device.
/// </summary>
public sealed class CwmpFleet : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SimulatedCpe> devices = new(StringComparer.Ordinal);
    private readonly HttpClient http;
    private ConnectionRequestListener? listener;

    private CwmpFleet()
    {
        http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false, // cookies are per device (a CookieContainer per session), not per handler
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public static async Task<CwmpFleet> StartAsync(CwmpFleetOptions? options = null)
    {
        options ??= new CwmpFleetOptions();
        var fleet = new CwmpFleet();
        fleet.listener = await ConnectionRequestListener.StartAsync(options.ConnectionRequestHost, options.ConnectionRequestPort, fleet.Find).ConfigureAwait(false);
        return fleet;
    }

    public IReadOnlyCollection<SimulatedCpe> Devices => (IReadOnlyCollection<SimulatedCpe>)devices.Values;

    public SimulatedCpe this[string serialNumber] => devices[serialNumber];

    public SimulatedCpe? Find(string serialNumber) => devices.GetValueOrDefault(serialNumber);

    public SimulatedCpe Add(SimulatedCpeOptions options, CpeBehavior? behavior = null)
    {
        var url = $"{listener!.BaseUrl}/cr/{Uri.EscapeDataString(options.SerialNumber)}";
        var cpe = new SimulatedCpe(options, http, url, behavior);
        if (!devices.TryAdd(options.SerialNumber, cpe)) throw new InvalidOperationException($"Device {options.SerialNumber} already in the fleet");
        return cpe;
    }

    /// <summary>Every device bootstraps ("0 BOOTSTRAP", "1 BOOT") with at most <paramref name="concurrency"/> sessions at once.</summary>
    public Task<FleetSummary> BootstrapAllAsync(int concurrency, CancellationToken cancellationToken = default) =>
        RunAllAsync(concurrency, (cpe, ct) => cpe.BootstrapAsync(ct), cancellationToken);

    /// <summary>
    /// Every device bootstraps, and a device whose session fails informs again after TR-069's retry wait (3.2.1.1), as
    /// real CPEs do, until it succeeds or has used <see cref="SessionRetry.MaxRetries"/>. At most
    /// <paramref name="concurrency"/> sessions run at once; a device waiting to retry holds no slot.
    /// </summary>
    public async Task<FleetSummary> BootstrapAllAsync(int concurrency, SessionRetry retry, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        int ok = 0, failed = 0, retries = 0;
        var errors = new ConcurrentDictionary<string, int>();
        using var slots = new SemaphoreSlim(concurrency);
        await Task.WhenAll(devices.Values.Select(async cpe =>
        {
            for (var attempt = 0; ; attempt++)
            {
                SessionResult result;
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    result = await cpe.BootstrapAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
                if (result.Succeeded) Interlocked.Increment(ref ok);
                else if (attempt >= retry.MaxRetries)
                {
                    Interlocked.Increment(ref failed);
                    errors.AddOrUpdate(result.Error ?? "?", 1, (_, n) => n + 1);
                }
                else
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(retry.WaitBefore(attempt + 1), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                return;
            }
        })).ConfigureAwait(false);
        return new FleetSummary(devices.Count, ok, failed, stopwatch.Elapsed, errors) { Retries = retries };
    }

    public async Task<FleetSummary> RunAllAsync(int concurrency, Func<SimulatedCpe, CancellationToken, Task<SessionResult>> session, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        int ok = 0, failed = 0;
        var errors = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(devices.Values, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (cpe, ct) =>
            {
                var result = await session(cpe, ct).ConfigureAwait(false);
                if (result.Succeeded) Interlocked.Increment(ref ok);
                else
                {
                    Interlocked.Increment(ref failed);
                    errors.AddOrUpdate(result.Error ?? "?", 1, (_, n) => n + 1);
                }
            }).ConfigureAwait(false);
        return new FleetSummary(devices.Count, ok, failed, stopwatch.Elapsed, errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (listener is not null) await listener.DisposeAsync().ConfigureAwait(false);
        http.Dispose();
    }
}

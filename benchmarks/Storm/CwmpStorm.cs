using System.Collections.Concurrent;
using Provisioning.Simulators.Cwmp;

namespace Provisioning.Benchmarks.Storm;

/// <summary>Counts every HTTP exchange (request/response pair, 401 challenges included) the simulated CPEs make.</summary>
public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private long _exchanges, _failures;
    public long Exchanges => Interlocked.Read(ref _exchanges);
    public long Failures => Interlocked.Read(ref _failures);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _exchanges);
            return response;
        }
        catch
        {
            Interlocked.Increment(ref _failures);
            throw;
        }
    }
}

/// <summary>
/// A fleet of the project's simulated CPEs (<see cref="SimulatedCpe"/>, one Connection Request listener) sharing one
/// pooled HttpClient that counts exchanges. Every device bootstraps ("0 BOOTSTRAP", "1 BOOT") at once, or at most
/// <c>concurrency</c> at a time; the time each device's first Inform is sent is recorded.
/// </summary>
public sealed class CwmpStorm : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SimulatedCpe> _devices = new(StringComparer.Ordinal);
    private readonly CountingHandler _counter;
    private readonly HttpClient _http;
    private ConnectionRequestListener? _listener;

    public CwmpStorm()
    {
        // The same handler settings as the simulator's own CwmpFleet.
        _counter = new CountingHandler(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        _http = new HttpClient(_counter) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public CountingHandler Counter => _counter;
    /// <summary>The simulated CPEs, for scenarios that drive their sessions themselves (e.g. periodic Informs).</summary>
    public IReadOnlyList<SimulatedCpe> Devices => [.. _devices.Values];
    public ConcurrentDictionary<string, DateTimeOffset> FirstInformSent { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, SessionResult> Sessions { get; } = new(StringComparer.Ordinal);
    /// <summary>Failed first sessions retried (TR-069 session retry policy) over the whole storm.</summary>
    public int Retries => Volatile.Read(ref _retries);
    private int _retries;

    /// <summary>Every session of every device, retried attempts included.</summary>
    public IEnumerable<SessionResult> AllAttempts => _devices.Values.SelectMany(d => d.History);

    /// <summary>Why sessions failed, most frequent first.</summary>
    public static Dictionary<string, object?> TopErrors(IEnumerable<SessionResult> sessions, int top) =>
        sessions.Where(s => !s.Succeeded).GroupBy(s => s.Error ?? "?")
            .OrderByDescending(g => g.Count()).Take(top).ToDictionary(g => g.Key, g => (object?)g.Count());

    public async Task StartAsync()
    {
        _listener = await ConnectionRequestListener.StartAsync("127.0.0.1", 0, serial => _devices.GetValueOrDefault(serial));
    }

    public void Add(string serialNumber, Uri acsUrl, string password)
    {
        var options = new SimulatedCpeOptions
        {
            SerialNumber = serialNumber,
            AcsUrl = acsUrl,
            Username = serialNumber,
            Password = password,
            RequestTimeout = TimeSpan.FromSeconds(120),
        };
        _devices[serialNumber] = new SimulatedCpe(options, _http, $"{_listener!.BaseUrl}/cr/{Uri.EscapeDataString(serialNumber)}");
    }

    /// <summary>Bootstraps every device; returns when every device's first successful session (or last retry) has ended.</summary>
    public async Task RunAsync(int concurrency, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var sessions = _devices.Values.Select(async cpe =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                FirstInformSent[cpe.SerialNumber] = DateTimeOffset.UtcNow;
                // As real CPEs do: a session that failed (a connect timeout when the whole region connects at once)
                // is retried with TR-069's back-off, and the retries count in the latency from the first Inform.
                var (session, retries) = await cpe.BootstrapWithRetryAsync(SessionRetry.Default, cancellationToken).ConfigureAwait(false);
                Sessions[cpe.SerialNumber] = session;
                Interlocked.Add(ref _retries, retries);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null) await _listener.DisposeAsync();
        _http.Dispose();
    }
}

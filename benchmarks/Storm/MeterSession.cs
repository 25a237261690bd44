using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// The orchestrator's histograms as dotnet-counters reads them: an EventPipe session on the runtime's
/// System.Diagnostics.Metrics event source, which publishes each histogram's p50/p95/p99 and count once per interval.
/// Needs nothing from the orchestrator but its diagnostics port (on by default).
/// </summary>
public sealed class MeterSession : IAsyncDisposable
{
    private const string MetricsSource = "System.Diagnostics.Metrics";
    private readonly EventPipeSession _session;
    private readonly Task _processing;
    private readonly Dictionary<string, List<Second>> _seconds = new(StringComparer.Ordinal);

    /// <summary>One histogram's published second: how many values, and its quantiles.</summary>
    private readonly record struct Second(int Count, double P50, double P95, double P99);

    private MeterSession(EventPipeSession session)
    {
        _session = session;
        var source = new EventPipeEventSource(session.EventStream);
        source.Dynamic.All += OnEvent;
        _processing = Task.Run(source.Process);
    }

    /// <summary>Starts reading <paramref name="meter"/>'s instruments in <paramref name="pid"/>, aggregated per second.</summary>
    public static MeterSession Start(int pid, string meter)
    {
        var id = Guid.NewGuid().ToString();
        var provider = new EventPipeProvider(MetricsSource, EventLevel.Informational, keywords: 0x2 /* TimeSeriesValues */, new Dictionary<string, string>
        {
            ["SessionId"] = id, ["ClientId"] = id, ["Metrics"] = meter, ["RefreshInterval"] = "1", ["MaxTimeSeries"] = "1000", ["MaxHistograms"] = "100",
        });
        return new MeterSession(new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false));
    }

    /// <summary>What the event source said apart from values (an error, a limit reached), for the report.</summary>
    public List<string> Messages { get; } = [];

    private void OnEvent(TraceEvent e)
    {
        if (e.ProviderName != MetricsSource) return;
        if (e.EventName is "Error" or "MultipleSessionsNotSupportedError" or "HistogramLimitReached" or "TimeSeriesLimitReached" or "ObservableInstrumentCallbackError" or "MultipleSessionsConfiguredIncorrectlyError")
            lock (Messages) Messages.Add($"{e.EventName}: {string.Join(", ", e.PayloadNames.Select(n => $"{n}={e.PayloadByName(n)}"))}");
        if (e.EventName != "HistogramValuePublished") return;
        if (e.PayloadByName("instrumentName") is not string name || e.PayloadByName("quantiles") is not string quantiles || quantiles.Length == 0) return;
        // One series per instrument and tag set, as "name" or "name{tag=value}".
        var instrument = e.PayloadByName("tags") is string { Length: > 0 } tags ? $"{name}{{{tags}}}" : name;
        var count = e.PayloadByName("count") is int n ? n : 1;
        if (count == 0) return;
        var q = quantiles.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        if (!q.TryGetValue("0.5", out var p50) || !q.TryGetValue("0.95", out var p95) || !q.TryGetValue("0.99", out var p99)) return;
        lock (_seconds)
        {
            if (!_seconds.TryGetValue(instrument, out var seconds)) _seconds[instrument] = seconds = [];
            seconds.Add(new Second(count, p50, p95, p99));
        }
    }

    /// <summary>Stops the session and returns, per series (instrument and tags), the run's p50/p99 merged from the per-second quantiles, and its count.</summary>
    public async Task<Dictionary<string, (double P50, double P99, long Count)>> StopAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the last second's values are published at its end
        await _session.StopAsync(CancellationToken.None);
        await _processing;
        lock (_seconds)
        {
            // A tagged instrument's series are also pooled under its bare name.
            var series = _seconds.ToList();
            foreach (var tagged in series.Where(s => s.Key.Contains('{', StringComparison.Ordinal)).GroupBy(s => s.Key[..s.Key.IndexOf('{', StringComparison.Ordinal)]))
                if (!_seconds.ContainsKey(tagged.Key)) series.Add(new(tagged.Key, tagged.SelectMany(s => s.Value).ToList()));
            return series.ToDictionary(p => p.Key, p => (Quantile(p.Value, 0.5), Quantile(p.Value, 0.99), p.Value.Sum(s => (long)s.Count)), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The run's quantile from its seconds': each second's distribution taken as linear between its published quantiles
    /// (from 0 up to p50, none above p99), weighted by its count, and the pooled distribution solved for <paramref name="q"/>.
    /// </summary>
    private static double Quantile(List<Second> seconds, double q)
    {
        double Below(Second s, double x) => s.Count * (
            x <= 0 ? 0
            : x < s.P50 ? 0.5 * x / s.P50
            : x < s.P95 ? 0.5 + 0.45 * (x - s.P50) / (s.P95 - s.P50)
            : x < s.P99 ? 0.95 + 0.04 * (x - s.P95) / (s.P99 - s.P95)
            : 1);
        var total = seconds.Sum(s => (double)s.Count);
        double low = 0, high = seconds.Max(s => s.P99);
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            if (seconds.Sum(s => Below(s, mid)) >= q * total) high = mid; else low = mid;
        }
        return high;
    }

    public async ValueTask DisposeAsync()
    {
        _session.Dispose();
        try { await _processing; } catch (Exception e) when (e is ObjectDisposedException or IOException or EndOfStreamException) { }
    }
}

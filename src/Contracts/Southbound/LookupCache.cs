using System.Collections.Concurrent;

namespace Provisioning.Contracts.Southbound;

/// <summary>
/// An adapter's short memory of the orchestrator's LookupDevice answers, so an inform or reconnect storm of thousands of
/// devices does not become a storm of lookups: answers are kept for a while, concurrent lookups of one key share a call,
/// a failure (an outage) is never kept, and expired entries go when the table outgrows its bound. Ages are read from
/// the <see cref="TimeProvider"/> (tests advance a fake one instead of sleeping through the duration).
/// </summary>
public sealed class LookupCache<T>(TimeSpan duration, int maxEntries = 100_000, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, (Task<T> Lookup, long ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _durationMilliseconds = (long)duration.TotalMilliseconds;
    private long _lastPrune;

    // Divided first: timestamp × 1000 overflows a long after about 106 days of uptime at a 1 GHz frequency.
    private long NowMilliseconds => _time.GetTimestamp() / Math.Max(1, _time.TimestampFrequency / 1000);

    public async Task<T> GetAsync(string key, Func<Task<T>> lookup, CancellationToken cancellationToken)
    {
        var now = NowMilliseconds;
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > now)
            return await entry.Lookup.WaitAsync(cancellationToken).ConfigureAwait(false);

        var started = lookup();
        if (_durationMilliseconds <= 0) return await started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var stored = (started, now + _durationMilliseconds);
        _entries[key] = stored;
        if (_entries.Count > maxEntries && now - Interlocked.Read(ref _lastPrune) > 1000) Prune(now);
        try
        {
            return await started.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (started.IsFaulted || started.IsCanceled)
        {
            _entries.TryRemove(new KeyValuePair<string, (Task<T>, long)>(key, stored)); // an outage must not be remembered
            throw;
        }
    }

    /// <summary>Drops what is kept for the key (its answer may have changed).</summary>
    public void Forget(string key) => _entries.TryRemove(key, out _);

    public void Clear() => _entries.Clear();

    private void Prune(long now)
    {
        Interlocked.Exchange(ref _lastPrune, now);
        foreach (var (key, entry) in _entries)
            if (entry.ExpiresAt <= now) _entries.TryRemove(new KeyValuePair<string, (Task<T>, long)>(key, entry));
    }
}

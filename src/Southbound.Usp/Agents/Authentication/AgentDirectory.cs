using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>
/// The inventory's answer for an endpoint ID (LookupDevice), kept briefly so a reconnect storm of thousands of agents,
/// or a fleet of unregistered ones, does not become a storm of lookups. Concurrent lookups of one endpoint ID share a
/// call; an outage is never cached.
/// </summary>
internal sealed class AgentDirectory(DeviceContacts.DeviceContactsClient contacts, IOptions<UspOptions> options)
{
    private const int MaxEntries = 100_000;
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (Task<LookupDeviceResponse> Lookup, long ExpiresAt)> _cache = new(StringComparer.Ordinal);
    private readonly long _cacheMilliseconds = (long)options.Value.Auth.LookupCacheDuration.TotalMilliseconds;
    private long _lastPrune;

    /// <summary>The inventory entry; throws <see cref="RpcException"/> when the orchestrator cannot answer.</summary>
    public async Task<LookupDeviceResponse> LookupAsync(string endpointId, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (_cache.TryGetValue(endpointId, out var entry) && entry.ExpiresAt > now)
            return await entry.Lookup.WaitAsync(cancellationToken).ConfigureAwait(false);

        var lookup = contacts.LookupDeviceAsync(
            new LookupDeviceRequest { Device = new DeviceRef { EndpointId = endpointId, Protocol = DeviceProtocol.Usp } },
            deadline: DateTime.UtcNow + LookupTimeout).ResponseAsync;
        if (_cacheMilliseconds > 0)
        {
            _cache[endpointId] = (lookup, now + _cacheMilliseconds);
            if (_cache.Count > MaxEntries && now - Interlocked.Read(ref _lastPrune) > 1000) Prune(now);
        }
        try
        {
            return await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            _cache.TryRemove(new KeyValuePair<string, (Task<LookupDeviceResponse>, long)>(endpointId, (lookup, now + _cacheMilliseconds)));
            throw;
        }
    }

    /// <summary>Drops the cached answer (an agent admitted after its registration must not wait for the entry to expire).</summary>
    public void Forget(string endpointId) => _cache.TryRemove(endpointId, out _);

    // Expired entries go when the cache grows past its bound, so a fleet of passing endpoint IDs cannot grow it for ever.
    private void Prune(long now)
    {
        Interlocked.Exchange(ref _lastPrune, now);
        foreach (var (key, entry) in _cache)
            if (entry.ExpiresAt <= now) _cache.TryRemove(new KeyValuePair<string, (Task<LookupDeviceResponse>, long)>(key, entry));
    }
}

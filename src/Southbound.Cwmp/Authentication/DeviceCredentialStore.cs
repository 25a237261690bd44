using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>The credential a CPE authenticates with: the HA1 for our realm, and the device it belongs to (if per-device).</summary>
public sealed record CpeCredential(string Username, string Ha1, string? SerialNumber, bool IsBootstrap);

/// <summary>
/// Looks up CPE credentials with the orchestrator's LookupDevice and keeps the answers briefly, so an
/// inform storm of thousands of devices does not become a storm of lookups. Concurrent lookups of the
/// same key share one call.
/// </summary>
public sealed class DeviceCredentialStore(DeviceContacts.DeviceContactsClient contacts, CwmpOptions options, ILogger<DeviceCredentialStore> logger)
{
    private readonly ConcurrentDictionary<string, (Task<LookupDeviceResponse?> Lookup, long ExpiresAt)> cache = new(StringComparer.Ordinal);
    private readonly string? bootstrapHa1 = options.Auth.BootstrapUsername is { Length: > 0 } user && options.Auth.BootstrapPassword is { } password
        ? DigestHeader.Ha1(user, options.Auth.Realm, password)
        : null;

    /// <summary>The credential for an HTTP username, or null when nobody may use it. Throws RpcException when the orchestrator is unavailable.</summary>
    public async Task<CpeCredential?> FindByUsernameAsync(string username, CancellationToken cancellationToken)
    {
        var lookup = await CachedAsync("u:" + username, () => new LookupDeviceRequest { Username = username, Realm = options.Auth.Realm }, cancellationToken)
            .ConfigureAwait(false);
        if (lookup is { Registered: true, CwmpPasswordHa1.Length: > 0 } && string.Equals(lookup.CwmpUsername, username, StringComparison.Ordinal))
            return new CpeCredential(username, lookup.CwmpPasswordHa1, lookup.Device?.SerialNumber is { Length: > 0 } sn ? sn : null, IsBootstrap: false);
        if (bootstrapHa1 is not null && string.Equals(username, options.Auth.BootstrapUsername, StringComparison.Ordinal))
            return new CpeCredential(username, bootstrapHa1, null, IsBootstrap: true);
        return null;
    }

    /// <summary>Whether the username is the bootstrap one (checked without asking the orchestrator).</summary>
    public CpeCredential? Bootstrap(string username) =>
        bootstrapHa1 is not null && string.Equals(username, options.Auth.BootstrapUsername, StringComparison.Ordinal)
            ? new CpeCredential(username, bootstrapHa1, null, IsBootstrap: true)
            : null;

    /// <summary>The device's inventory entry (Connection Request credentials), cached briefly.</summary>
    public Task<LookupDeviceResponse?> FindDeviceAsync(DeviceRef device, CancellationToken cancellationToken) =>
        CachedAsync("d:" + device.SerialNumber, () => new LookupDeviceRequest { Device = device, Realm = options.Auth.Realm }, cancellationToken);

    /// <summary>
    /// Drops what is cached of the device when its workflow ends: it may be provisioned now, and a cached "not yet"
    /// would let the bootstrap credential in for it until the entry expired.
    /// </summary>
    public void Forget(string serialNumber) => cache.TryRemove("d:" + serialNumber, out _);

    private async Task<LookupDeviceResponse?> CachedAsync(string key, Func<LookupDeviceRequest> request, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (cache.TryGetValue(key, out var entry) && entry.ExpiresAt > now)
            return await entry.Lookup.WaitAsync(cancellationToken).ConfigureAwait(false);

        var lookup = LookupAsync(request());
        cache[key] = (lookup, now + (long)options.Auth.CacheDuration.TotalMilliseconds);
        if (cache.Count > MaxEntries && now - Interlocked.Read(ref lastPrune) > 1000) Prune(now);
        try
        {
            return await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            cache.TryRemove(key, out _); // an outage must not be cached
            throw;
        }
    }

    private async Task<LookupDeviceResponse?> LookupAsync(LookupDeviceRequest request)
    {
        try
        {
            return await contacts.LookupDeviceAsync(request, deadline: DateTime.UtcNow.Add(options.ContactReportTimeout)).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException ex)
        {
            CwmpLog.LookupFailed(logger, ex);
            throw;
        }
    }

    private const int MaxEntries = 100_000;

    // Expired entries are dropped when the cache grows past its bound, so a large fleet cannot grow it forever.
    private long lastPrune;

    private void Prune(long now)
    {
        Interlocked.Exchange(ref lastPrune, now);
        foreach (var (key, entry) in cache)
            if (entry.ExpiresAt <= now) cache.TryRemove(new KeyValuePair<string, (Task<LookupDeviceResponse?>, long)>(key, entry));
    }

    /// <summary>Forgets cached answers (tests, inventory changes).</summary>
    public void Clear() => cache.Clear();
}

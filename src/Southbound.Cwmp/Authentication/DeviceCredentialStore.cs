using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>
/// A credential a CPE may authenticate with: the HA1 for our realm, the device it belongs to (null for the shared
/// bootstrap credential, which names no device) and which of the device's credentials it is.
/// </summary>
public sealed record CpeCredential(string Username, string Ha1, string? SerialNumber, ContactCredential Kind)
{
    public bool IsBootstrap => Kind == ContactCredential.Bootstrap;

    // The HA1 is as good as the password for Digest: keep it out of any ToString().
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Username = ").Append(Username).Append(", SerialNumber = ").Append(SerialNumber).Append(", Kind = ").Append(Kind);
        return true;
    }
}

/// <summary>
/// What one device may authenticate with, from the orchestrator's LookupDevice by its serial number: its own
/// credential, the previous one while the new one is not adopted, its bootstrap secret, and the shared bootstrap
/// credential when the orchestrator allows it for the device (always for a device it does not know, so the contact
/// is on record). <see cref="SharedBootstrap"/> is there even when refused, to tell a refused bootstrap from a wrong password.
/// </summary>
public sealed record DeviceAdmission(bool Registered, IReadOnlyList<CpeCredential> Accepted, CpeCredential? SharedBootstrap, bool SharedBootstrapAllowed);

/// <summary>
/// Looks up CPE credentials with the orchestrator's LookupDevice and keeps the answers briefly, so an
/// inform storm of thousands of devices does not become a storm of lookups. Concurrent lookups of the
/// same key share one call. A device's steady answer is kept longer, while the orchestrator's device changes are
/// watched (<see cref="SteadyLookups"/>).
/// </summary>
public sealed class DeviceCredentialStore(DeviceContacts.DeviceContactsClient contacts, CwmpOptions options, TimeProvider time, SteadyLookups steady,
    ILogger<DeviceCredentialStore> logger)
{
    private readonly LookupCache<LookupDeviceResponse?> cache = new(options.Auth.CacheDuration, time: time);
    private readonly string? bootstrapHa1 = options.Auth.BootstrapUsername is { Length: > 0 } user && options.Auth.BootstrapPassword is { } password
        ? DigestHeader.Ha1(user, options.Auth.Realm, password)
        : null;

    /// <summary>
    /// What the device named by an Inform (or by the session a request continues) may authenticate with. Throws
    /// RpcException when the orchestrator is unavailable.
    /// </summary>
    public async Task<DeviceAdmission> ForDeviceAsync(DeviceRef device, CancellationToken cancellationToken)
    {
        var lookup = await FindDeviceAsync(device, cancellationToken).ConfigureAwait(false);
        var serial = device.SerialNumber;
        // The cache is by serial; an answer that names another device (a lookup that fell back to something else) is not this one's.
        var registered = lookup is { Registered: true } && (lookup.Device is null || lookup.Device.SerialNumber.Length == 0 || lookup.Device.SerialNumber == serial);
        var accepted = new List<CpeCredential>(3);
        if (registered)
        {
            if (lookup!.CwmpUsername.Length > 0 && lookup.CwmpPasswordHa1.Length > 0)
                accepted.Add(new CpeCredential(lookup.CwmpUsername, lookup.CwmpPasswordHa1, serial, ContactCredential.Device));
            if (lookup.PreviousCwmpUsername.Length > 0 && lookup.PreviousCwmpPasswordHa1.Length > 0)
                accepted.Add(new CpeCredential(lookup.PreviousCwmpUsername, lookup.PreviousCwmpPasswordHa1, serial, ContactCredential.Previous));
            if (lookup.BootstrapPasswordHa1.Length > 0 && (lookup.BootstrapUsername.Length > 0 ? lookup.BootstrapUsername : options.Auth.BootstrapUsername) is { Length: > 0 } bootstrapUser)
                accepted.Add(new CpeCredential(bootstrapUser, lookup.BootstrapPasswordHa1, serial, ContactCredential.BootstrapSecret));
        }
        var shared = bootstrapHa1 is null ? null : new CpeCredential(options.Auth.BootstrapUsername!, bootstrapHa1, null, ContactCredential.Bootstrap);
        var sharedAllowed = shared is not null && (!registered || lookup!.SharedBootstrapAllowed);
        if (sharedAllowed) accepted.Add(shared!);
        return new DeviceAdmission(registered, accepted, shared, sharedAllowed);
    }

    /// <summary>
    /// The credential for an HTTP username when no device is named yet (a request outside any session), or null when
    /// nobody may use it. Throws RpcException when the orchestrator is unavailable.
    /// </summary>
    public async Task<CpeCredential?> FindByUsernameAsync(string username, CancellationToken cancellationToken)
    {
        if (Bootstrap(username) is { } bootstrap) return bootstrap;
        var lookup = await OwnerOfAsync(username, cancellationToken).ConfigureAwait(false);
        return lookup is { Registered: true, CwmpPasswordHa1.Length: > 0 } && string.Equals(lookup.CwmpUsername, username, StringComparison.Ordinal)
            ? new CpeCredential(username, lookup.CwmpPasswordHa1, lookup.Device?.SerialNumber is { Length: > 0 } sn ? sn : null, ContactCredential.Device)
            : null;
    }

    /// <summary>The inventory entry a username belongs to (cached briefly), to tell another device's credential from an unknown one.</summary>
    public Task<LookupDeviceResponse?> OwnerOfAsync(string username, CancellationToken cancellationToken) =>
        CachedAsync("u:" + username, () => new LookupDeviceRequest { Username = username, Realm = options.Auth.Realm }, cancellationToken);

    /// <summary>The shared bootstrap credential when the username is its one (checked without asking the orchestrator).</summary>
    public CpeCredential? Bootstrap(string username) =>
        bootstrapHa1 is not null && string.Equals(username, options.Auth.BootstrapUsername, StringComparison.Ordinal)
            ? new CpeCredential(username, bootstrapHa1, null, ContactCredential.Bootstrap)
            : null;

    /// <summary>
    /// The device's inventory entry (credentials, Connection Request credentials), by serial number: kept as long as it
    /// is steady and watched, else cached briefly.
    /// </summary>
    public Task<LookupDeviceResponse?> FindDeviceAsync(DeviceRef device, CancellationToken cancellationToken)
    {
        var serial = device.SerialNumber;
        if (steady.Find(serial) is { } kept) return Task.FromResult<LookupDeviceResponse?>(kept);
        return cache.GetAsync("d:" + serial, async () =>
        {
            // Reserved before asking: a change heard while the answer is on its way means it is not kept.
            var reservation = steady.Reserve(serial);
            var answer = await LookupAsync(new LookupDeviceRequest
            {
                // By serial only: the answer is cached as this device's.
                Device = new DeviceRef { SerialNumber = serial, Oui = device.Oui, ProductClass = device.ProductClass, Protocol = DeviceProtocol.Cwmp },
                Realm = options.Auth.Realm,
            }).ConfigureAwait(false);
            // Only an answer about this device (a lookup falling back to another one is not kept as this one's).
            steady.Keep(serial, reservation, answer is { Registered: true } && answer.Device?.SerialNumber is { } named && named == serial ? answer : null);
            return answer;
        }, cancellationToken);
    }

    /// <summary>
    /// Drops what is cached of the device: when its workflow ends (it may be provisioned now, with a credential pending or
    /// adopted) and when it bootstraps again (a factory reset: the orchestrator's answer about it may change).
    /// </summary>
    public void Forget(string serialNumber)
    {
        cache.Forget("d:" + serialNumber);
        steady.Forget(serialNumber);
    }

    /// <summary>The orchestrator heard the device change (WatchDeviceChanges): nothing cached about it is used again.</summary>
    public void Changed(string serialNumber)
    {
        cache.Forget("d:" + serialNumber);
        steady.Changed(serialNumber);
    }

    /// <summary>Drops the cached owner of a username (its answer may be stale).</summary>
    public void ForgetUsername(string username) => cache.Forget("u:" + username);

    private Task<LookupDeviceResponse?> CachedAsync(string key, Func<LookupDeviceRequest> request, CancellationToken cancellationToken) =>
        cache.GetAsync(key, () => LookupAsync(request()), cancellationToken);

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

    /// <summary>Forgets cached answers (tests, inventory changes).</summary>
    public void Clear()
    {
        cache.Clear();
        steady.Clear();
    }
}

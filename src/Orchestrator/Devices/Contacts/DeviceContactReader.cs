using Marten;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Reads what ReportDeviceContact and LookupDevice need of a device: from <see cref="DeviceContactCache"/> when it has
/// it, else from the store (and keeps it). The workflow waiting for a device is read from the store every contact:
/// another instance may have started it (a Connection Request) an instant before the device's Inform arrives here,
/// and a contact that missed it would leave that workflow waiting.
/// </summary>
public sealed class DeviceContactReader(IDocumentStore store, DeviceContactCache cache)
{
    /// <summary>
    /// The device, the workflow waiting for it, its route and credential: with the device cached, one read of the
    /// claim; else one round trip when the contact names a serial number the inventory knows (a USP agent known only
    /// by its endpoint id takes two).
    /// </summary>
    public async Task<(DeviceRecord? Record, ActiveWorkflowClaim? Claim, DeviceRoute? Route, DeviceCredential? Credential)> ContactAsync(DeviceRef device, CancellationToken cancellationToken)
    {
        var key = device.SerialNumber;
        if (string.IsNullOrWhiteSpace(key))
        {
            key = (await FindAsync(device, username: null, cancellationToken))?.Id;
            if (key is null) return (null, null, null, null);
        }
        await using var session = store.QuerySession();
        if (cache.Find(key) is { } cached)
            return (cached.Record, await session.LoadAsync<ActiveWorkflowClaim>(key, cancellationToken), cached.Route, cached.Credential);

        var (state, claim) = await LoadAsync(session, key, withClaim: true, cancellationToken);
        if (state is null)
        {
            if (!string.IsNullOrWhiteSpace(device.EndpointId) && !string.IsNullOrWhiteSpace(device.SerialNumber))
            {
                // The agent reported a serial number the inventory does not use: it may be registered by endpoint id.
                var byEndpoint = await FindAsync(new DeviceRef { EndpointId = device.EndpointId }, username: null, cancellationToken);
                if (byEndpoint is not null) return await ContactAsync(new DeviceRef { SerialNumber = byEndpoint.Id }, cancellationToken);
            }
            return (null, claim, null, null);
        }
        return (state.Record, claim, state.Route, state.Credential);
    }

    /// <summary>
    /// A device not cached, in one round trip (with the claim waiting for it when asked): kept in the cache unless it
    /// changed meanwhile, evicted when the inventory does not know it.
    /// </summary>
    private async Task<(DeviceContactState? State, ActiveWorkflowClaim? Claim)> LoadAsync(IQuerySession session, string key, bool withClaim,
        CancellationToken cancellationToken)
    {
        var reservation = cache.Reserve(key);
        var batch = session.CreateBatchQuery();
        var recordLoad = batch.Load<DeviceRecord>(key);
        var claimLoad = withClaim ? batch.Load<ActiveWorkflowClaim>(key) : Task.FromResult<ActiveWorkflowClaim?>(null);
        var routeLoad = batch.Load<DeviceRoute>(key);
        var credentialLoad = batch.Load<DeviceCredential>(key);
        await batch.Execute(cancellationToken);
        if (await recordLoad is not { } record)
        {
            cache.Drop(key);
            return (null, await claimLoad);
        }
        var state = new DeviceContactState(record, await routeLoad, await credentialLoad);
        cache.Keep(reservation, state);
        return (state, await claimLoad);
    }

    /// <summary>
    /// The device, its route (only a lookup by device, before waking it, needs the ConnectionRequestURL; a login by
    /// username does not) and its credential state: from the cache, or one round trip when the lookup names a serial
    /// number the inventory knows (every CPE's first Inform of a storm asks this way).
    /// </summary>
    public async Task<(DeviceRecord? Record, DeviceRoute? Route, DeviceCredential? Credential)> LookupAsync(LookupDeviceRequest request, CancellationToken cancellationToken)
    {
        if (request.Device is { SerialNumber.Length: > 0 } device)
        {
            if (cache.Find(device.SerialNumber) is { } cached)
                return (cached.Record, cached.Record.Protocol == DeviceProtocol.Cwmp ? cached.Route : null, cached.Credential);
            await using var batchSession = store.QuerySession();
            if ((await LoadAsync(batchSession, device.SerialNumber, withClaim: false, cancellationToken)).State is { } state)
                return (state.Record, state.Record.Protocol == DeviceProtocol.Cwmp ? state.Route : null, state.Credential);
        }
        var record = await FindAsync(request.Device ?? new DeviceRef(), request.Username, cancellationToken);
        if (record is null) return (null, null, null);
        await using var session = store.QuerySession();
        var route = request.Device is { SerialNumber.Length: > 0 } && record.Protocol == DeviceProtocol.Cwmp
            ? await session.LoadAsync<DeviceRoute>(record.Id, cancellationToken)
            : null;
        var credential = record.Protocol == DeviceProtocol.Cwmp ? await session.LoadAsync<DeviceCredential>(record.Id, cancellationToken) : null;
        return (record, route, credential);
    }

    /// <summary>The device by serial number, endpoint id or CWMP username (its own, or the previous one while pending).</summary>
    public async Task<DeviceRecord?> FindAsync(DeviceRef device, string? username, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        if (!string.IsNullOrWhiteSpace(device.SerialNumber) &&
            await session.LoadAsync<DeviceRecord>(device.SerialNumber, cancellationToken) is { } bySerial)
            return bySerial;
        if (!string.IsNullOrWhiteSpace(device.EndpointId))
        {
            var endpoint = device.EndpointId;
            var byEndpoint = await session.Query<DeviceRecord>().FirstOrDefaultAsync(d => d.EndpointId == endpoint, cancellationToken);
            if (byEndpoint is not null) return byEndpoint;
        }
        if (!string.IsNullOrWhiteSpace(username))
        {
            if (await session.Query<DeviceRecord>().FirstOrDefaultAsync(d => d.CwmpUsername == username, cancellationToken) is { } byUsername)
                return byUsername;
            // A device still on the credential it had before its current one was pushed (pending) logs in with that name.
            // Only a name that is the device's own (not a shared bootstrap username) and names one device only.
            var previous = await session.Query<DeviceCredential>()
                .Where(c => c.PreviousUsername == username && !c.PreviousIsBootstrapSecret).Take(2).ToListAsync(cancellationToken);
            return previous.Count == 1 ? await session.LoadAsync<DeviceRecord>(previous[0].Id, cancellationToken) : null;
        }
        return null;
    }
}

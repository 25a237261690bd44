using System.Collections.Concurrent;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// The contact state of registered devices in memory, so a storm of Informs that carry nothing new (periodic, or
/// every device back after a power cut) reads nothing of it from PostgreSQL. It is right only while changes reach it:
/// this instance's commits evict synchronously (<see cref="DeviceChangeListener"/>), every instance's commits through
/// the NOTIFY that a trigger on the three tables sends (<see cref="Coordination.DeviceChangesNotifyTrigger"/>, heard by
/// <see cref="Coordination.EventNotifications"/>). While that LISTEN is down nothing is served from here, and it
/// starts empty again when the LISTEN is back (what changed meanwhile was not heard). What it hears is passed on to the
/// adapters that watch (<see cref="Watch"/>), so they may keep their LookupDevice answers as long.
/// </summary>
public sealed class DeviceContactCache
{
    /// <summary>
    /// Devices kept at most (about 1–2 KB each); past it a contact reads the store as before. A fleet bigger than this
    /// per instance keeps the ones that contacted first.
    /// </summary>
    public const int Capacity = 200_000;

    private readonly ConcurrentDictionary<string, Slot> _devices = new(StringComparer.Ordinal);
    private volatile bool _heard;
    private readonly Lock _watchersLock = new();
    private volatile DeviceChangeWatch[] _watchers = [];

    /// <summary>A load in progress (State null) or its result; a reference, so a load finished after an eviction is not kept.</summary>
    public sealed class Slot(DeviceContactState? state)
    {
        public DeviceContactState? State { get; } = state;
    }

    /// <summary>Whether changes from every instance reach the cache (the LISTEN is up).</summary>
    public bool Listening => _heard;

    public int Count => _devices.Count;

    /// <summary>The device's state, with a credential of its own for the caller; null when not cached.</summary>
    public DeviceContactState? Find(string serialNumber)
    {
        if (!_heard || !_devices.TryGetValue(serialNumber, out var slot) || slot.State is not { } state) return null;
        return state.Credential is null ? state : state with { Credential = Copy(state.Credential) };
    }

    /// <summary>
    /// Marks a load from the store about to start. An eviction of the device before <see cref="Keep"/> removes the mark,
    /// and then what was loaded (maybe before the change committed) is not kept. Null when nothing may be kept.
    /// </summary>
    public Slot? Reserve(string serialNumber)
    {
        if (!_heard || _devices.Count >= Capacity) return null;
        var slot = new Slot(null);
        _devices[serialNumber] = slot;
        return slot;
    }

    /// <summary>Keeps what was loaded under <paramref name="reservation"/> unless the device changed meanwhile.</summary>
    public void Keep(Slot? reservation, DeviceContactState state)
    {
        if (reservation is null) return;
        var kept = state.Credential is null ? state : state with { Credential = Copy(state.Credential) };
        _devices.TryUpdate(state.Record.Id, new Slot(kept), reservation);
    }

    /// <summary>The seen-at of a route this instance queued (<see cref="RouteSeenAtBatch"/>): the rest is unchanged.</summary>
    public void Seen(DeviceRoute route)
    {
        if (_devices.TryGetValue(route.Id, out var slot) && slot.State is { Route: { } known } state
            && known.AdapterAddress == route.AdapterAddress && known.ConnectionRequestUrl == route.ConnectionRequestUrl)
            _devices.TryUpdate(route.Id, new Slot(state with { Route = route }), slot);
    }

    /// <summary>The device changed (a commit here, or a NOTIFY): dropped, and the watching adapters told.</summary>
    public void Evict(string serialNumber)
    {
        _devices.TryRemove(serialNumber, out _);
        foreach (var watch in _watchers) watch.Publish(new DeviceChangeWatch.Change(serialNumber, _heard));
    }

    /// <summary>A device the store does not know, dropped without telling anyone (nothing of it changed).</summary>
    public void Drop(string serialNumber) => _devices.TryRemove(serialNumber, out _);

    /// <summary>Devices changed, which is not known: everything is dropped, here and by the watching adapters.</summary>
    public void Clear()
    {
        _devices.Clear();
        lock (_watchersLock)
        {
            foreach (var watch in _watchers)
            {
                watch.Publish(new DeviceChangeWatch.Change(null, false));
                if (_heard) watch.Publish(new DeviceChangeWatch.Change(null, true));
            }
        }
    }

    /// <summary>The LISTEN is up (again): start empty, since changes while it was down were not heard.</summary>
    public void Listen()
    {
        lock (_watchersLock)
        {
            _devices.Clear();
            _heard = true;
            foreach (var watch in _watchers) watch.Publish(new DeviceChangeWatch.Change(null, true));
        }
    }

    /// <summary>The LISTEN is down: serve nothing until it is back.</summary>
    public void Deafen()
    {
        lock (_watchersLock)
        {
            _heard = false;
            _devices.Clear();
            foreach (var watch in _watchers) watch.Publish(new DeviceChangeWatch.Change(null, false));
        }
    }

    /// <summary>
    /// A subscription to what the cache hears from now on, with whether it hears every change right now (decided under
    /// the same lock as the changes of hearing, so none falls between).
    /// </summary>
    public DeviceChangeWatch Watch()
    {
        lock (_watchersLock)
        {
            var watch = new DeviceChangeWatch(_heard, Unsubscribe);
            _watchers = [.. _watchers, watch];
            return watch;
        }
    }

    private void Unsubscribe(DeviceChangeWatch watch)
    {
        lock (_watchersLock) _watchers = [.. _watchers.Where(w => w != watch)];
    }

    // The credential is a mutable document the lifecycle changes in place: each caller gets its own shallow copy.
    private static DeviceCredential Copy(DeviceCredential c) => c with { };
}

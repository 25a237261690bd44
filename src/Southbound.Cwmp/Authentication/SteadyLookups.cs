using System.Collections.Concurrent;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>
/// The orchestrator's steady LookupDevice answers (<see cref="LookupDeviceResponse.Steady"/>) kept past the brief
/// cache, for as long as the orchestrator's WatchDeviceChanges says it passes on every change: a device's answer is
/// forgotten when it changes, all of them when the watch is not complete. So a periodic Inform storm authenticates
/// without a lookup, however far apart its rounds are. An answer is kept only if no change of the device arrived
/// while it was asked for (<see cref="Reserve"/> before asking), nor shortly before (another orchestrator instance may
/// not have heard the change yet when it answered); and for <see cref="CwmpAuthOptions.WatchedCacheDuration"/> at most.
/// </summary>
public sealed class SteadyLookups(TimeSpan duration, TimeProvider time, int capacity = 200_000)
{
    /// <summary>How long after a change of a device an answer about it is not kept (instances hear a NOTIFY at slightly different times).</summary>
    public static readonly TimeSpan ChangeSettling = TimeSpan.FromSeconds(5);

    /// <summary>A lookup in flight (Answer null), a kept answer, or a recent change (Changed).</summary>
    public sealed record Slot(LookupDeviceResponse? Answer, long ExpiresAt, bool Changed);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly long _durationMs = (long)duration.TotalMilliseconds;
    private readonly long _settlingMs = (long)ChangeSettling.TotalMilliseconds;
    private volatile bool _complete;

    /// <summary>Whether answers are kept now (the watch is up and complete).</summary>
    public bool Keeping => _complete && _durationMs > 0;

    public int Count => _slots.Count;

    private long NowMs => time.GetTimestamp() / Math.Max(1, time.TimestampFrequency / 1000);

    /// <summary>The kept answer for the serial number, if any and still fresh.</summary>
    public LookupDeviceResponse? Find(string serialNumber) =>
        _complete && _slots.TryGetValue(serialNumber, out var slot) && slot is { Answer: { } answer, Changed: false } && slot.ExpiresAt > NowMs ? answer : null;

    /// <summary>Marks a lookup about to be made; null when its answer may not be kept (not keeping, a recent change, full).</summary>
    public Slot? Reserve(string serialNumber)
    {
        if (!Keeping) return null;
        var now = NowMs;
        if (_slots.TryGetValue(serialNumber, out var current) && current.Changed && current.ExpiresAt > now) return null;
        if (current is null && _slots.Count >= capacity) return null;
        var reservation = new Slot(null, now + _durationMs, false);
        _slots[serialNumber] = reservation;
        return reservation;
    }

    /// <summary>Keeps a steady answer unless the device changed (or the watch lapsed) since <paramref name="reservation"/>.</summary>
    public void Keep(string serialNumber, Slot? reservation, LookupDeviceResponse? answer)
    {
        if (reservation is null) return;
        if (answer is not { Steady: true })
        {
            _slots.TryRemove(new KeyValuePair<string, Slot>(serialNumber, reservation));
            return;
        }
        _slots.TryUpdate(serialNumber, reservation with { Answer = answer }, reservation);
    }

    /// <summary>The device changed: its answer goes, and none about it is kept for a few seconds.</summary>
    public void Changed(string serialNumber) => _slots[serialNumber] = new Slot(null, NowMs + _settlingMs, true);

    /// <summary>Drops what is kept of the device (the ACS's own reasons: a workflow ended, a factory reset).</summary>
    public void Forget(string serialNumber) => _slots.TryRemove(serialNumber, out _);

    /// <summary>Forgets every kept answer (the watch stays as it is).</summary>
    public void Clear() => _slots.Clear();

    /// <summary>The watch is (again) complete: start empty, since changes before it were not heard.</summary>
    public void Complete()
    {
        _slots.Clear();
        _complete = true;
    }

    /// <summary>The watch is down or incomplete: keep nothing until it is complete again.</summary>
    public void Incomplete()
    {
        _complete = false;
        _slots.Clear();
    }

    /// <summary>Drops what is past its time (changes past their settling, answers past the duration), so the table holds answers, not the history of changes.</summary>
    public void Prune()
    {
        var now = NowMs;
        foreach (var (key, slot) in _slots)
            if (slot.ExpiresAt <= now) _slots.TryRemove(new KeyValuePair<string, Slot>(key, slot));
    }
}

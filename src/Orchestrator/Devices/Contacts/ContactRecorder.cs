using System.Collections.Concurrent;
using JasperFx;
using Marten;
using Marten.Patching;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Telemetry;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Puts contacts on record in the device's stream, once per device, reason and window ("Devices:ContactRecordWindow");
/// equal ones later in the window only raise the count of the stored one (kept in memory, written every
/// "Devices:ContactCountFlushInterval"). Bounded: at most "Devices:UnregisteredPerWindow" unregistered devices are
/// stored per window and at most "Devices:ContactMemoryCapacity" pairs remembered; beyond, contacts are only counted
/// (<see cref="ContactOverflow"/>). So a flood of junk bootstraps costs bounded rows, and time only for the first ones.
/// Windows are aligned to the clock, so several instances agree on them; the window row's unique id keeps a second
/// instance from storing the same record again.
/// </summary>
public sealed partial class ContactRecorder(IDocumentStore store, IOptions<DeviceOptions> options, TimeProvider time, ILogger<ContactRecorder> logger)
{
    private sealed class Tally(DateTimeOffset windowStart, string? windowId, string reason, DeviceProtocol protocol)
    {
        public DateTimeOffset WindowStart { get; } = windowStart;
        /// <summary>The stored row, or null: this device's contacts are counted in the overflow only.</summary>
        public string? WindowId { get; } = windowId;
        public string Reason { get; } = reason;
        public DeviceProtocol Protocol { get; } = protocol;
        public volatile bool Committed;
        public long Unflushed;
        public long LastSeenTicks;
    }

    private sealed class Overflow
    {
        public long Count;
        public long Devices;
        public volatile bool Dirty;
    }

    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Reason, DeviceProtocol Protocol, DateTimeOffset Window), Overflow> _overflow = new();
    private readonly Guid _instance = Guid.NewGuid();
    private readonly Lock _unregisteredLock = new();
    private DateTimeOffset _unregisteredWindow;
    private int _unregisteredStored;
    // ConcurrentDictionary.Count takes every lock; a flood must not serialise on it.
    private int _remembered;
    private long _lastFullSweepTicks;

    private DeviceOptions Options => options.Value;

    public DateTimeOffset WindowOf(DateTimeOffset at)
    {
        var ticks = Options.ContactRecordWindow.Ticks;
        return new DateTimeOffset(at.UtcTicks - at.UtcTicks % ticks, TimeSpan.Zero);
    }

    /// <summary>Records the contact; true when it was stored, false when an equal one of this window was (it is counted).</summary>
    public async Task<bool> RecordAsync(ContactNote note, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = WindowOf(now);
        if (note.Kind == ContactKinds.Refused)
            OrchestratorTelemetry.ContactsRefused.Add(1, new("reason", note.Reason), new("protocol", ProtocolName(note.Protocol)));

        var key = $"{note.DeviceKey}|{note.Reason}";
        if (_tallies.TryGetValue(key, out var known) && known.WindowStart == window)
        {
            Seen(known, now);
            return false;
        }
        if (Volatile.Read(ref _remembered) >= Options.ContactMemoryCapacity) SweepWhenFull(now, window);
        if (Volatile.Read(ref _remembered) >= Options.ContactMemoryCapacity)
        {
            // Nothing left to remember it with: counted, and counted as a device of its own (an upper bound).
            CountOverflow(note, window, newDevice: true);
            return false;
        }

        var stored = note.Registered || TakeUnregisteredSlot(window);
        var tally = new Tally(window, stored ? ContactWindow.IdOf(note.DeviceKey, note.Reason, window) : null, note.Reason, note.Protocol);
        if (_tallies.TryAdd(key, tally)) Interlocked.Increment(ref _remembered);
        else if (!TryReplaceExpired(key, tally, window))
        {
            // An equal contact arrived at the same moment and is being recorded.
            if (_tallies.TryGetValue(key, out var concurrent)) Seen(concurrent, now);
            return false;
        }
        if (!stored)
        {
            CountOverflow(note, window, newDevice: true);
            return false;
        }

        try
        {
            var recorded = await StoreAsync(note, tally.WindowId!, window, now, cancellationToken);
            tally.Committed = true;
            return recorded;
        }
        catch
        {
            Forget(key, tally);
            throw;
        }
    }

    private bool TryReplaceExpired(string key, Tally tally, DateTimeOffset window) =>
        _tallies.TryGetValue(key, out var old) && old.WindowStart < window && Interlocked.Read(ref old.Unflushed) == 0 && _tallies.TryUpdate(key, tally, old);

    private void Seen(Tally tally, DateTimeOffset now)
    {
        Interlocked.Exchange(ref tally.LastSeenTicks, now.UtcTicks);
        if (tally.WindowId is null)
        {
            var overflow = _overflow.GetOrAdd((tally.Reason, tally.Protocol, tally.WindowStart), _ => new Overflow());
            Interlocked.Increment(ref overflow.Count);
            overflow.Dirty = true;
        }
        else Interlocked.Increment(ref tally.Unflushed);
    }

    private void CountOverflow(ContactNote note, DateTimeOffset window, bool newDevice)
    {
        var overflow = _overflow.GetOrAdd((note.Reason, note.Protocol, window), _ => new Overflow());
        Interlocked.Increment(ref overflow.Count);
        if (newDevice) Interlocked.Increment(ref overflow.Devices);
        overflow.Dirty = true;
    }

    private bool TakeUnregisteredSlot(DateTimeOffset window)
    {
        lock (_unregisteredLock)
        {
            if (_unregisteredWindow != window)
            {
                _unregisteredWindow = window;
                _unregisteredStored = 0;
            }
            if (_unregisteredStored >= Options.UnregisteredPerWindow) return false;
            _unregisteredStored++;
            return true;
        }
    }

    private Task<bool> StoreAsync(ContactNote note, string windowId, DateTimeOffset window, DateTimeOffset now, CancellationToken cancellationToken) =>
        DeviceStreamConflicts.RetryAsync(() => StoreOnceAsync(note, windowId, window, now));

    private async Task<bool> StoreOnceAsync(ContactNote note, string windowId, DateTimeOffset window, DateTimeOffset now)
    {
        object fact = note.Kind == ContactKinds.CredentialNotAdopted
            ? new CredentialNotAdopted(note.DeviceKey, note.Protocol, WindowEnded: false, note.Detail, note.RemoteAddress, window)
            : new DeviceContactRefused(note.DeviceKey, note.SerialNumber, note.EndpointId, note.Protocol, note.Registered,
                note.Reason, note.Detail, note.RemoteAddress, note.Username, note.EventCodes ?? [], window);
        await using var session = store.LightweightSession();
        var action = session.Events.Append(DeviceStream.For(note.DeviceKey), fact);
        session.Insert(new ContactWindow
        {
            Id = windowId,
            DeviceKey = note.DeviceKey,
            Kind = note.Kind,
            Reason = note.Reason,
            Protocol = note.Protocol,
            Registered = note.Registered,
            WindowStart = window,
            FirstAt = now,
            LastSeenAt = now,
            Count = 1,
            EventId = action.Events[0].Id,
        });
        try
        {
            // The caller going away must not lose a record already decided on.
            await session.SaveChangesAsync(CancellationToken.None);
            return true;
        }
        catch (DocumentAlreadyExistsException)
        {
            // Another orchestrator instance recorded it in this window: from here on this one counts into its row.
            return false;
        }
    }

    /// <summary>Writes the counts gathered since the last flush, then forgets what belongs to past windows.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var taken = new List<(Tally Tally, long Delta)>();
        await using var session = store.LightweightSession();
        foreach (var tally in _tallies.Values)
        {
            if (!tally.Committed || tally.WindowId is null || Interlocked.Read(ref tally.Unflushed) == 0) continue;
            var delta = Interlocked.Exchange(ref tally.Unflushed, 0);
            taken.Add((tally, delta));
            var patch = session.Patch<ContactWindow>(tally.WindowId);
            patch.Increment(w => w.Count, delta);
            patch.Set(w => w.LastSeenAt, new DateTimeOffset(Interlocked.Read(ref tally.LastSeenTicks), TimeSpan.Zero));
        }
        var overflows = _overflow.Where(o => o.Value.Dirty).ToList();
        foreach (var (key, overflow) in overflows)
        {
            overflow.Dirty = false;
            session.Store(new ContactOverflow
            {
                Id = $"{key.Reason}|{key.Protocol}|{key.Window.UtcTicks}|{_instance:N}",
                Reason = key.Reason,
                Protocol = key.Protocol,
                WindowStart = key.Window,
                Count = Interlocked.Read(ref overflow.Count),
                Devices = Interlocked.Read(ref overflow.Devices),
            });
        }
        if (taken.Count == 0 && overflows.Count == 0)
        {
            Sweep(WindowOf(time.GetUtcNow()));
            return;
        }
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Counted again at the next flush.
            foreach (var (tally, delta) in taken) Interlocked.Add(ref tally.Unflushed, delta);
            foreach (var (_, overflow) in overflows) overflow.Dirty = true;
            FlushFailed(logger, e.Message);
            return;
        }
        Sweep(WindowOf(time.GetUtcNow()));
    }

    private void Forget(string key, Tally tally)
    {
        if (_tallies.TryRemove(new KeyValuePair<string, Tally>(key, tally))) Interlocked.Decrement(ref _remembered);
    }

    /// <summary>With the memory full, looks for ended windows at most once a second (a sweep walks every tally).</summary>
    private void SweepWhenFull(DateTimeOffset now, DateTimeOffset window)
    {
        var last = Interlocked.Read(ref _lastFullSweepTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastFullSweepTicks, now.UtcTicks, last) != last) return;
        Sweep(window);
    }

    /// <summary>Forgets tallies and overflow counts of windows that have ended and are written.</summary>
    private void Sweep(DateTimeOffset window)
    {
        foreach (var (key, tally) in _tallies)
        {
            if (tally.WindowStart < window && (!tally.Committed || tally.WindowId is null || Interlocked.Read(ref tally.Unflushed) == 0))
                Forget(key, tally);
        }
        foreach (var (key, overflow) in _overflow)
        {
            if (key.Window < window && !overflow.Dirty) _overflow.TryRemove(new KeyValuePair<(string, DeviceProtocol, DateTimeOffset), Overflow>(key, overflow));
        }
    }

    public static string ProtocolName(DeviceProtocol protocol) => protocol switch
    {
        DeviceProtocol.Cwmp => "cwmp",
        DeviceProtocol.Usp => "usp",
        _ => "unspecified",
    };

    [LoggerMessage(4030, LogLevel.Warning, "Could not write the counts of deduplicated device contacts (kept for the next attempt): {Reason}")]
    private static partial void FlushFailed(ILogger logger, string reason);
}

/// <summary>Writes the recorder's counts every "Devices:ContactCountFlushInterval", and once more on the way down.</summary>
public sealed class ContactCountFlusher(ContactRecorder recorder, IOptions<DeviceOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ContactCountFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await recorder.FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await recorder.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or Npgsql.NpgsqlException)
        {
            // The store is going away with us; the counts of this window are lost, the records are not.
        }
    }
}

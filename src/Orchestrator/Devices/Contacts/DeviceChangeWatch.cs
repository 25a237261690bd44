using System.Threading.Channels;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// One adapter's subscription to the device changes <see cref="DeviceContactCache"/> hears (WatchDeviceChanges): the
/// serial numbers evicted, and each time the cache starts or stops hearing every change. Bounded: an adapter that
/// does not keep up is cut off (<see cref="Overflowed"/>) rather than hold the orchestrator's memory; it then forgets
/// everything it kept and watches again.
/// </summary>
public sealed class DeviceChangeWatch : IDisposable
{
    /// <summary>Changes waiting for one adapter at most (a bootstrap storm writes three per workflow).</summary>
    public const int Capacity = 50_000;

    /// <summary>A changed device (Id), or the cache's hearing changed (Complete).</summary>
    public readonly record struct Change(string? Id, bool Complete);

    private readonly Channel<Change> _changes;
    private readonly Action<DeviceChangeWatch> _unsubscribe;
    private volatile bool _overflowed;

    internal DeviceChangeWatch(bool complete, Action<DeviceChangeWatch> unsubscribe)
    {
        Complete = complete;
        _unsubscribe = unsubscribe;
        _changes = Channel.CreateBounded<Change>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite },
            _ => _overflowed = true);
    }

    /// <summary>Whether the cache heard every change when the watch began.</summary>
    public bool Complete { get; }

    public bool Overflowed => _overflowed;

    public ChannelReader<Change> Changes => _changes.Reader;

    internal void Publish(Change change) => _changes.Writer.TryWrite(change);

    public void Dispose()
    {
        _unsubscribe(this);
        _changes.Writer.TryComplete();
    }
}

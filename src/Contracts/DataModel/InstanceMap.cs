using System.Collections.Concurrent;

namespace Provisioning.Contracts.DataModel;

/// <summary>
/// Where a device created a multi-instance object under another number than the one the orchestrator
/// named ("VLANTermination.3." became "VLANTermination.4."): later writes and reads of that device use the
/// instance the device assigned. Both adapters keep one per device that ever renumbered.
/// </summary>
public sealed class InstanceMap
{
    private readonly ConcurrentDictionary<string, string> _objects = new(StringComparer.Ordinal);

    public void Add(string requestedObject, string actualObject)
    {
        if (requestedObject != actualObject) _objects[requestedObject] = actualObject;
    }

    /// <summary>Forgets a renumbering (the object was deleted again).</summary>
    public void Remove(string requestedObject) => _objects.TryRemove(requestedObject, out _);

    /// <summary>The path in the agent's numbering: the longest renumbered object it lies under decides (nested objects are recorded in full).</summary>
    public string Apply(string path)
    {
        if (_objects.IsEmpty) return path;
        string? best = null;
        foreach (var (requested, _) in _objects)
        {
            if (path.StartsWith(requested, StringComparison.Ordinal) && (best is null || requested.Length > best.Length)) best = requested;
        }
        return best is null ? path : _objects[best] + path[best.Length..];
    }
}

/// <summary>Instance maps per device key (USP endpoint ID, CWMP serial number); only devices that ever renumbered have one.</summary>
public sealed class InstanceMaps
{
    private readonly ConcurrentDictionary<string, InstanceMap> _maps = new(StringComparer.Ordinal);
    private static readonly InstanceMap Empty = new();

    public InstanceMap For(string deviceKey) => _maps.TryGetValue(deviceKey, out var map) ? map : Empty;
    public InstanceMap GetOrCreate(string deviceKey) => _maps.GetOrAdd(deviceKey, _ => new InstanceMap());

    /// <summary>
    /// The device's map, having first taken in the numbering a request brings from the orchestrator (earlier pushes,
    /// also ones another adapter instance made).
    /// </summary>
    public InstanceMap For(string deviceKey, IReadOnlyCollection<Common.InstanceNumbering> known)
    {
        if (known.Count == 0) return For(deviceKey);
        var map = GetOrCreate(deviceKey);
        foreach (var n in known) map.Add(n.Requested, n.Actual);
        return map;
    }
}

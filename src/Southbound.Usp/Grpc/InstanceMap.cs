using System.Collections.Concurrent;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>
/// Where an agent created a multi-instance object under another number than the one the orchestrator
/// named ("VLANTermination.3." became "VLANTermination.4."): later Sets and Gets of that agent use the
/// instance the agent assigned.
/// </summary>
internal sealed class InstanceMap
{
    private readonly ConcurrentDictionary<string, string> _objects = new(StringComparer.Ordinal);

    public bool IsEmpty => _objects.IsEmpty;

    public void Add(string requestedObject, string actualObject)
    {
        if (requestedObject != actualObject) _objects[requestedObject] = actualObject;
    }

    public string Apply(string path)
    {
        if (_objects.IsEmpty) return path;
        foreach (var (requested, actual) in _objects)
        {
            if (path.StartsWith(requested, StringComparison.Ordinal)) return actual + path[requested.Length..];
        }
        return path;
    }
}

/// <summary>Instance maps per agent endpoint ID (only agents that ever renumbered have one).</summary>
internal sealed class InstanceMaps
{
    private readonly ConcurrentDictionary<string, InstanceMap> _maps = new(StringComparer.Ordinal);
    private static readonly InstanceMap Empty = new();

    public InstanceMap For(string endpointId) => _maps.TryGetValue(endpointId, out var map) ? map : Empty;
    public InstanceMap GetOrCreate(string endpointId) => _maps.GetOrAdd(endpointId, _ => new InstanceMap());
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.DataModel;
using Provisioning.Southbound.Usp.Messages.Set;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>Parameters grouped by the object that holds them, in the order first named (one UpdateObject each).</summary>
internal static class ConfigPlan
{
    public static List<ObjectUpdate> GroupByObject(IEnumerable<ParameterValue> parameters, InstanceMap map)
    {
        var groups = new List<ObjectUpdate>();
        var index = new Dictionary<string, List<KeyValuePair<string, string>>>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var name = map.Apply(parameter.Name);
            var dot = name.LastIndexOf('.');
            if (dot <= 0 || dot == name.Length - 1) throw new ArgumentException($"'{parameter.Name}' is not a parameter path");
            var objectPath = name[..(dot + 1)];
            if (!index.TryGetValue(objectPath, out var list))
            {
                list = [];
                index[objectPath] = list;
                groups.Add(new ObjectUpdate(objectPath, list));
            }
            list.Add(new(name[(dot + 1)..], parameter.Value));
        }
        return groups;
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.DataModel;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Add;
using Provisioning.Southbound.Usp.Messages.Get;
using Provisioning.Southbound.Usp.Messages.Set;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>
/// A push names multi-instance objects the agent does not have ("Device.WiFi.AccessPoint.2.Security." on an agent
/// with one access point, "Device.Services.VoiceService.1.SIP.Client.1." on one with no voice service yet). They are
/// found with one Get of every instance the push names, created with Add shallowest first (a created object's
/// own parameters go with its Add; the agent picks the number, recorded in the agent's instance map so that deeper
/// objects and later pushes follow it), and what remains is Set.
/// </summary>
internal static class MissingInstances
{
    /// <summary>Whether a failed Set may have failed for want of objects (the agent says so with 7016 or 7026).</summary>
    public static bool MayExplain(UspErrorException error) =>
        error.Code is UspErrorCodes.ObjectDoesNotExist or UspErrorCodes.InvalidPath
        || error.ParamErrors.Any(p => p.Code is UspErrorCodes.ObjectDoesNotExist or UspErrorCodes.InvalidPath);

    /// <summary>
    /// Creates the missing instances; returns the objects still to Set and the instances the agent numbered otherwise
    /// than asked, or null when none was missing.
    /// </summary>
    public static async Task<(List<ObjectUpdate> ToSet, List<InstanceNumbering> Renumbered)?> CreateAsync(
        UspRequester requester, AgentSession session, IReadOnlyList<ParameterValue> parameters, InstanceMap map, CancellationToken cancellationToken)
    {
        // Grouped as the orchestrator named them; the map turns a name into the agent's own numbering.
        var requested = ConfigPlan.GroupByObject(parameters, new InstanceMap());
        var instances = ObjectPath.InstancesIn(requested.Select(g => g.ObjectPath));
        if (instances.Count == 0) return null;

        var missing = await MissingAsync(requester, session, instances.Select(map.Apply).ToList(), cancellationToken).ConfigureAwait(false);
        var created = new HashSet<string>(StringComparer.Ordinal);
        var renumbered = new List<InstanceNumbering>();
        var addedWithValues = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            // Under an object created just now nothing exists yet; elsewhere the probe decides.
            var underCreated = created.Any(parent => instance.StartsWith(parent, StringComparison.Ordinal));
            if (!underCreated && !missing.Contains(map.Apply(instance))) continue;

            var own = requested.FirstOrDefault(g => g.ObjectPath == instance);
            var asked = map.Apply(instance);
            var actual = await requester.AddAsync(session, ObjectPath.TableOf(asked)!, own?.Parameters ?? [], cancellationToken).ConfigureAwait(false);
            map.Add(instance, actual);
            created.Add(instance);
            if (actual != asked) renumbered.Add(new InstanceNumbering { Requested = instance, Actual = actual });
            if (own is not null) addedWithValues.Add(instance);
        }
        if (created.Count == 0) return null;
        return (ConfigPlan.GroupByObject(parameters.Where(p => !addedWithValues.Contains(ObjectPath.Of(p.Name))), map), renumbered);
    }

    /// <summary>The instance paths the agent does not resolve: one Get, or one per path for an agent that fails the whole Get.</summary>
    private static async Task<HashSet<string>> MissingAsync(UspRequester requester, AgentSession session, List<string> paths, CancellationToken cancellationToken)
    {
        try
        {
            var result = await requester.GetAsync(session, paths, cancellationToken).ConfigureAwait(false);
            // USP 1.3 (R-GET.0) answers an absent instance with 7026; USP 1.0/1.1 agents answer it with no resolved
            // path and no error: both mean the instance is missing.
            return result.PathErrors.Select(e => e.Path).Concat(result.Unresolved).ToHashSet(StringComparer.Ordinal);
        }
        catch (UspErrorException)
        {
            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                try
                {
                    var one = await requester.GetAsync(session, [path], cancellationToken).ConfigureAwait(false);
                    if (one.PathErrors.Count > 0 || one.Unresolved.Count > 0) missing.Add(path);
                }
                catch (UspErrorException)
                {
                    missing.Add(path);
                }
            }
            return missing;
        }
    }
}

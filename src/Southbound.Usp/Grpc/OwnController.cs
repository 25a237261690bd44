using Provisioning.Contracts.Common;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Get;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>
/// This controller's own entry in the agent's Device.LocalAgent.Controller. table. The agent numbers that table
/// itself (another controller may be instance 1 and this one instance 2), so a plan never names an instance: it names
/// <see cref="PlanPrefix"/>, and the entry whose EndpointID is this controller's is found with a Get of the table
/// and substituted, for the push and for verify alike (verify answers under the names the plan used).
/// </summary>
internal static class OwnController
{
    public const string Table = "Device.LocalAgent.Controller.";

    /// <summary>How a plan names this controller's entry (what the orchestrator renders PeriodicNotifInterval under).</summary>
    public const string PlanPrefix = Table + "[EndpointID==self].";

    public static bool Named(IEnumerable<string> names) => names.Any(n => n.StartsWith(PlanPrefix, StringComparison.Ordinal));

    /// <summary>The instance path ("Device.LocalAgent.Controller.2.") whose EndpointID is <paramref name="controllerId"/> among Get values of the table.</summary>
    public static string? FindIn(IReadOnlyDictionary<string, string> values, string controllerId)
    {
        foreach (var (path, value) in values)
        {
            if (path.StartsWith(Table, StringComparison.Ordinal) && path.EndsWith(".EndpointID", StringComparison.Ordinal)
                && string.Equals(value, controllerId, StringComparison.Ordinal))
                return path[..^"EndpointID".Length];
        }
        return null;
    }

    /// <summary>This controller's entry on the session's agent, read once per connection.</summary>
    public static async Task<string> ResolveAsync(UspRequester requester, AgentSession session, string controllerId, CancellationToken cancellationToken)
    {
        if (session.OwnControllerPath is { } known) return known;
        var result = await requester.GetAsync(session, [Table], cancellationToken).ConfigureAwait(false);
        // Nothing of ours to write there: a device fault naming the entry, not a guess at another controller's.
        var own = FindIn(result.Values, controllerId) ?? throw new UspErrorException(UspErrorCodes.ObjectDoesNotExist,
            $"no {Table} entry has EndpointID {controllerId}", [new UspParamError(PlanPrefix, UspErrorCodes.ObjectDoesNotExist, "this controller has no entry")]);
        session.OwnControllerPath = own;
        return own;
    }

    /// <summary>The plan's name in the agent's numbering ("…Controller.[EndpointID==self].X" → "…Controller.2.X"); others unchanged.</summary>
    public static string Apply(string name, string? own) =>
        own is not null && name.StartsWith(PlanPrefix, StringComparison.Ordinal) ? own + name[PlanPrefix.Length..] : name;

    public static List<ParameterValue> Apply(IEnumerable<ParameterValue> parameters, string? own) =>
        parameters.Select(p => p.Name.StartsWith(PlanPrefix, StringComparison.Ordinal) ? new ParameterValue(p) { Name = Apply(p.Name, own) } : p).ToList();
}

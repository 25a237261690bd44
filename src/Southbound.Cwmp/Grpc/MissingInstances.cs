using Provisioning.Contracts.Common;
using Provisioning.Contracts.DataModel;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Sessions;

namespace Provisioning.Southbound.Cwmp.Grpc;

/// <summary>
/// A push names multi-instance objects the CPE does not have (a second SSID on a one-radio box, a SIP client on a
/// CPE with none configured): SetParameterValues fails with 9005. The instances the fault points at are probed with
/// GetParameterNames (NextLevel), created with AddObject shallowest first under the push's ParameterKey, and the
/// numbers the CPE assigns are recorded in its instance map, so the retried push and later reads use them.
/// </summary>
public sealed class MissingInstances(DeviceRpcRunner runner)
{
    public const uint InvalidParameterName = 9005;

    public static bool MayExplain(StepFailure failure) =>
        failure.Kind == FailureKind.DeviceFault
        && (failure.FaultCode == InvalidParameterName || failure.ParameterFaults.Any(p => p.FaultCode == InvalidParameterName));

    /// <summary>
    /// Creates what is missing. Created is false when every instance exists (the CPE's fault stands); Renumbered lists
    /// the instances the CPE numbered otherwise than asked.
    /// </summary>
    public async Task<(bool Created, IReadOnlyList<InstanceNumbering> Renumbered, StepFailure? Failure)> CreateAsync(
        DeviceRef device, string? workflowId, IReadOnlyList<string> names, StepFailure fault, InstanceMap map, string parameterKey,
        CancellationToken cancellationToken)
    {
        // Probe only the instances above the parameters the CPE refused, when it named them.
        var refused = fault.ParameterFaults.Where(p => p.FaultCode == InvalidParameterName).Select(p => p.Name).ToList();
        var instances = ObjectPath.InstancesIn(names)
            .Where(i => refused.Count == 0 || refused.Any(r => r.StartsWith(map.Apply(i), StringComparison.Ordinal)))
            .ToList();
        var created = new List<string>();
        var renumbered = new List<InstanceNumbering>();
        foreach (var instance in instances)
        {
            var actual = map.Apply(instance);
            if (!created.Exists(parent => instance.StartsWith(parent, StringComparison.Ordinal)))
            {
                var probe = await runner.ExecuteAsync(device, workflowId, new GetParameterNames(actual, NextLevel: true), cancellationToken).ConfigureAwait(false);
                if (probe.Failure is null) continue;
                if (probe.Failure is not { Kind: FailureKind.DeviceFault, FaultCode: InvalidParameterName }) return (false, [], probe.Failure);
            }
            var table = ObjectPath.TableOf(actual)!;
            var add = await runner.ExecuteAsync(device, workflowId, new AddObject(table, parameterKey), cancellationToken).ConfigureAwait(false);
            if (add.Failure is { } failure)
            {
                // A table the CPE fixes itself (TR-098 WLANConfiguration: one per radio) refuses AddObject. The push fails
                // as a whole, so what it created for it goes again rather than stay on the CPE half-configured.
                var removed = await DeleteAsync(device, workflowId, created, map, parameterKey, cancellationToken).ConfigureAwait(false);
                failure.FaultString = $"the device lacks {actual} and refused to create it (AddObject {table}: {failure.FaultString})"
                    + (created.Count > 0 ? $"; {removed} of the {created.Count} instances created for this push deleted again" : "");
                return (false, [], failure);
            }
            if (add.Response is not AddObjectResponse response)
            {
                await DeleteAsync(device, workflowId, created, map, parameterKey, cancellationToken).ConfigureAwait(false);
                return (false, [], DeviceRpcRunner.Failure(FailureKind.ProtocolError, $"AddObject {table} answered {add.Response?.MethodName}"));
            }
            var numbered = table + response.InstanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
            map.Add(instance, numbered);
            created.Add(instance);
            if (numbered != actual) renumbered.Add(new InstanceNumbering { Requested = instance, Actual = numbered });
        }
        return (created.Count > 0, renumbered, null);
    }

    /// <summary>Deletes the instances created, deepest (latest) first; returns how many the CPE deleted.</summary>
    private async Task<int> DeleteAsync(DeviceRef device, string? workflowId, List<string> created, InstanceMap map, string parameterKey,
        CancellationToken cancellationToken)
    {
        var deleted = 0;
        for (var i = created.Count - 1; i >= 0; i--)
        {
            var delete = await runner.ExecuteAsync(device, workflowId, new DeleteObject(map.Apply(created[i]), parameterKey), cancellationToken)
                .ConfigureAwait(false);
            if (delete.Response is not DeleteObjectResponse) continue;
            map.Remove(created[i]);
            deleted++;
        }
        return deleted;
    }
}

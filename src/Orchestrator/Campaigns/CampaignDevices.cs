using Marten;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>Resolves a selection against the inventory (and, for firmware, each device's last reported version).</summary>
public static class CampaignDevices
{
    public static async Task<IReadOnlyList<DeviceDescriptor>> SelectAsync(IQuerySession session, CampaignSelection selection, int limit, CancellationToken cancellationToken)
    {
        IQueryable<DeviceRecord> devices = session.Query<DeviceRecord>();
        if (selection.SerialNumbers.Count > 0) { var serials = selection.SerialNumbers.ToArray(); devices = devices.Where(d => serials.Contains(d.Id)); }
        if (selection.ServicePlans.Count > 0) { var plans = selection.ServicePlans.ToArray(); devices = devices.Where(d => plans.Contains(d.ServicePlan)); }
        if (selection.ProductClasses.Count > 0) { var classes = selection.ProductClasses.ToArray(); devices = devices.Where(d => classes.Contains(d.ProductClass)); }
        if (selection.LocationIds.Count > 0) { var locations = selection.LocationIds.ToArray(); devices = devices.Where(d => locations.Contains(d.LocationId)); }
        // One more than allowed tells "too many" from "exactly the limit".
        var found = await devices.Take(limit + 1).ToListAsync(cancellationToken);
        if (found.Count > limit)
            throw new CampaignRefusedException($"the selection matches more than {limit} devices (Campaign:MaxDevices): narrow it or split the campaign");

        if (selection.FirmwareVersions.Count > 0)
        {
            var serials = found.Select(d => d.Id).ToArray();
            var reported = await session.Query<WorkflowSummary>()
                .Where(w => serials.Contains(w.SerialNumber) && w.FirmwareVersion != null)
                .Select(w => new { w.SerialNumber, w.FirmwareVersion, w.CreatedAt })
                .ToListAsync(cancellationToken);
            var current = reported.GroupBy(r => r.SerialNumber).ToDictionary(g => g.Key, g => g.MaxBy(r => r.CreatedAt)!.FirmwareVersion);
            var wanted = selection.FirmwareVersions.ToHashSet(StringComparer.Ordinal);
            found = found.Where(d => current.TryGetValue(d.Id, out var version) && version is not null && wanted.Contains(version)).ToList();
        }
        return found.Select(d => new DeviceDescriptor(d.Id, d.Oui, d.ProductClass, d.Protocol, d.EndpointId)).ToList();
    }
}

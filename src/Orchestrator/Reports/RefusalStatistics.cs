using Marten;
using Provisioning.Orchestrator.Devices;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Reports;

/// <summary>
/// Refused contacts (and contacts still on a credential not adopted) in a period, by reason and protocol: the stored
/// windows with their counts plus what was only counted beyond the bounds. A window belongs to the period it starts in.
/// </summary>
public static class RefusalStatistics
{
    public static async Task<(IReadOnlyList<Wire.RefusalReportRow> Rows, long Total)> ReadAsync(
        IQuerySession session, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var windows = await session.Query<ContactWindow>().Where(w => w.WindowStart >= from && w.WindowStart < to).ToListAsync(cancellationToken);
        var overflow = await session.Query<ContactOverflow>().Where(o => o.WindowStart >= from && o.WindowStart < to).ToListAsync(cancellationToken);
        var rows = windows
            .GroupBy(w => (w.Reason, w.Protocol))
            .Select(g => (g.Key, Count: g.Sum(w => w.Count), Devices: (long)g.Select(w => w.DeviceKey).Distinct().Count()))
            .Concat(overflow.GroupBy(o => (o.Reason, o.Protocol)).Select(g => (g.Key, Count: g.Sum(o => o.Count), Devices: g.Sum(o => o.Devices))))
            .GroupBy(r => r.Key)
            .Select(g => new Wire.RefusalReportRow
            {
                Reason = g.Key.Reason,
                Protocol = g.Key.Protocol,
                Count = g.Sum(r => r.Count),
                Devices = g.Sum(r => r.Devices),
            })
            .OrderByDescending(r => r.Count)
            .ToList();
        return (rows, rows.Sum(r => r.Count));
    }
}

using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Which adapter instance last heard from a device (its CWMP session or USP connection lives there), so that the
/// device's next southbound calls go to that instance. Written from ReportDeviceContact; shared by every
/// orchestrator instance through PostgreSQL.
/// </summary>
public sealed record DeviceRoute(string Id, string AdapterAddress, DeviceProtocol Protocol, DateTimeOffset SeenAt)
{
    /// <summary>Past this age the route is not trusted: any instance of the protocol will do (e.g. a CWMP Connection Request).</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(10);

    public bool IsFresh(DateTimeOffset now) => now - SeenAt < Freshness;
}

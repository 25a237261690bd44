using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Which adapter instance last heard from a device (its CWMP session or USP connection lives there), so that the
/// device's next southbound calls go to that instance. Written from ReportDeviceContact; shared by every
/// orchestrator instance through PostgreSQL. For CWMP it also keeps the ConnectionRequestURL of the last Inform,
/// which outlives the ACS instance that heard it (any instance, or a restarted one, can wake the device with it).
/// </summary>
public sealed record DeviceRoute(string Id, string AdapterAddress, DeviceProtocol Protocol, DateTimeOffset SeenAt, string ConnectionRequestUrl = "")
{
    /// <summary>Past this age the route is not trusted: any instance of the protocol will do (e.g. a CWMP Connection Request).</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(10);

    public bool IsFresh(DateTimeOffset now) => now - SeenAt < Freshness;
}

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// What a contact changes of the device's route: a new adapter address or Connection Request URL is written at once
/// (<see cref="Changed"/>: other instances route the device's calls by it); the same route seen again only moves its
/// seen-at, which goes to the coalesced batch (<see cref="SeenOnly"/>), and not even that while the recorded one is
/// younger than <see cref="SeenAtResolution"/>.
/// </summary>
public sealed record ContactRoute(DeviceRoute? Changed, DeviceRoute? SeenOnly)
{
    /// <summary>Finer than the route's freshness needs by far; coarse enough that a burst of contacts queues one update.</summary>
    public static readonly TimeSpan SeenAtResolution = TimeSpan.FromMinutes(1);

    public static readonly ContactRoute None = new(null, null);

    public static ContactRoute Of(DeviceRecord device, DeviceRoute? known, string address, string connectionRequestUrl, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(connectionRequestUrl)) connectionRequestUrl = known?.ConnectionRequestUrl ?? "";
        var route = new DeviceRoute(device.Id, address, device.Protocol, now, connectionRequestUrl);
        if (known is null || known.AdapterAddress != address || known.ConnectionRequestUrl != connectionRequestUrl || known.Protocol != device.Protocol)
            return new ContactRoute(route, null);
        return now - known.SeenAt < SeenAtResolution ? None : new ContactRoute(null, route);
    }
}

using System.Collections.Concurrent;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>What the last Inform of each device said: its identity and ConnectionRequestURL, for waking it later.</summary>
public sealed class KnownDevices
{
    private readonly ConcurrentDictionary<string, DeviceIdentity> bySerial = new(StringComparer.Ordinal);

    /// <summary>Replaces what was known (a 0 BOOTSTRAP device forgets its past, so nothing is merged).</summary>
    public void Remember(DeviceIdentity identity) => bySerial[identity.Device.SerialNumber] = identity;

    public DeviceIdentity? Find(string serialNumber) => bySerial.GetValueOrDefault(serialNumber);
}

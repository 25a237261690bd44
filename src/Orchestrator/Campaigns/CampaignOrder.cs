using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// The order a campaign goes through its devices: by a hash of the campaign's name and the serial, so each wave is a
/// spread sample of the selection (not one region or one batch of serials first), the same every time it is computed.
/// </summary>
public static class CampaignOrder
{
    public static IReadOnlyList<T> Of<T>(string campaignName, IEnumerable<T> devices, Func<T, string> serialOf) =>
        devices.Select(d => (Device: d, Key: Key(campaignName, serialOf(d))))
            .OrderBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => x.Device)
            .ToList();

    private static string Key(string campaignName, string serial) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(campaignName + "\0" + serial)));
}

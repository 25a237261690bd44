using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// A plan's Wi-Fi security mode (TR-181 ModeEnabled names) as TR-098 WLANConfiguration parameters: BeaconType selects
/// the beacon's security, and the WPA / 802.11i encryption and authentication modes must be written with it, since a
/// gateway keeps whatever its factory default was (often TKIP and AES mixed) otherwise.
/// </summary>
public static class Tr098WifiSecurity
{
    public static bool IsOpen(string mode) => mode.Equals("None", StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<ProfileParameter> For(string prefix, string mode)
    {
        switch (mode.ToUpperInvariant())
        {
            case "NONE":
                yield return new(prefix + "BeaconType", "Basic", ParameterType.String);
                yield return new(prefix + "BasicEncryptionModes", "None", ParameterType.String);
                yield break;
            case "WPA-PERSONAL":
                yield return new(prefix + "BeaconType", "WPA", ParameterType.String);
                foreach (var p in Wpa(prefix)) yield return p;
                yield break;
            case "WPA-WPA2-PERSONAL":
                yield return new(prefix + "BeaconType", "WPAand11i", ParameterType.String);
                foreach (var p in Wpa(prefix)) yield return p;
                foreach (var p in Ieee11i(prefix)) yield return p;
                yield break;
            default:
                // WPA2-Personal, and modes TR-098 cannot express (WPA3): 802.11i with AES is the strongest it has.
                yield return new(prefix + "BeaconType", "11i", ParameterType.String);
                foreach (var p in Ieee11i(prefix)) yield return p;
                yield break;
        }
    }

    private static IEnumerable<ProfileParameter> Wpa(string prefix) =>
    [
        new(prefix + "WPAEncryptionModes", "TKIPEncryption", ParameterType.String),
        new(prefix + "WPAAuthenticationMode", "PSKAuthentication", ParameterType.String),
    ];

    private static IEnumerable<ProfileParameter> Ieee11i(string prefix) =>
    [
        new(prefix + "IEEE11iEncryptionModes", "AESEncryption", ParameterType.String),
        new(prefix + "IEEE11iAuthenticationMode", "PSKAuthentication", ParameterType.String),
    ];
}

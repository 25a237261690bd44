using Provisioning.Contracts.Northbound;

namespace Provisioning.Testing;

/// <summary>The service plans the system tests provision: data, two Wi-Fi bands, one VoIP line.</summary>
public static class TestPlans
{
    /// <summary>The standard plan (VLANs 100/200, SSIDs Home-24/Home-5).</summary>
    public static ServicePlan Standard(string name) =>
        Make(name, "Home", "wifi-secret", "+3215550101", "sip-user-1", "sip-secret-1");

    /// <summary>The standard plan with IPTV on VLAN 300.</summary>
    public static ServicePlan WithIptv(string name)
    {
        var plan = Standard(name);
        plan.IptvEnabled = true;
        plan.Vlans.IptvVlan = 300;
        return plan;
    }

    /// <summary>The USP tests' plan: values of its own, so what an agent holds cannot have come from another fixture's plan.</summary>
    public static ServicePlan Usp(string name) =>
        Make(name, "Usp", "usp-wifi-secret", "+3215550199", "usp-sip-1", "usp-sip-secret");

    private static ServicePlan Make(string name, string ssid, string wifiKey, string number, string sipUsername, string sipPassword) => new()
    {
        Name = name,
        DataEnabled = true,
        Vlans = new Vlans { DataVlan = 100, VoipVlan = 200 },
        PeriodicInformInterval = 3600,
        Wifi =
        {
            new WifiNetwork { Band = "2.4GHz", Ssid = $"{ssid}-24", Key = $"{wifiKey}-24", Enabled = true },
            new WifiNetwork { Band = "5GHz", Ssid = $"{ssid}-5", Key = $"{wifiKey}-5G", Enabled = true },
        },
        VoipLines = { new VoipLine { Line = 1, DirectoryNumber = number, SipUsername = sipUsername, SipPassword = sipPassword, Registrar = "sip.example.net" } },
    };
}

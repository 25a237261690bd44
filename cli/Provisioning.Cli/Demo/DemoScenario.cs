using System.Security.Cryptography;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Demo;

/// <summary>How a demo device is meant to behave, and so which result the demo expects for it.</summary>
public enum DemoBehavior
{
    Healthy,
    /// <summary>Rejects the SSID with a fault (CWMP 9007 / USP 7012): config_push_failed.</summary>
    RejectsSsid,
    /// <summary>Acknowledges the SSID but keeps the old one: verification_failed.</summary>
    IgnoresSsid,
    /// <summary>Registered with a plan that does not exist: no_profile.</summary>
    MissingPlan,
}

public sealed record DemoDevice(string SerialNumber, DeviceProtocol Protocol, string Model, string Firmware, string Plan, DemoBehavior Behavior, string CwmpPassword)
{
    public string EndpointId => Protocol == DeviceProtocol.Usp ? $"os::{DemoScenario.Oui}-{SerialNumber}" : "";
}

/// <summary>
/// The demo's fleet: a handful of CWMP CPEs and USP agents, most healthy, some faulty, with serial numbers
/// unique to this run so the demo can be run again against the same orchestrator.
/// </summary>
public sealed class DemoScenario
{
    public const string Oui = "00D09E";
    public const string GoldPlan = "demo-gold";
    public const string BasicPlan = "demo-basic";
    public const string MissingPlanName = "demo-plan-that-does-not-exist";

    public DemoScenario(bool withUsp)
    {
        RunId = Convert.ToHexString(RandomNumberGenerator.GetBytes(3));
        var devices = new List<DemoDevice>
        {
            Cwmp(1, "HG8245", "V3R017", GoldPlan, DemoBehavior.Healthy),
            Cwmp(2, "HG8245", "V3R017", BasicPlan, DemoBehavior.Healthy),
            Cwmp(3, "FritzBox7590", "7.57", GoldPlan, DemoBehavior.Healthy),
            Cwmp(4, "FritzBox7590", "7.29", GoldPlan, DemoBehavior.RejectsSsid),
            Cwmp(5, "HG8245", "V3R015", BasicPlan, DemoBehavior.IgnoresSsid),
            Cwmp(6, "HG8245", "V3R017", MissingPlanName, DemoBehavior.MissingPlan),
        };
        if (withUsp)
        {
            devices.Add(Usp(1, "USP-Gateway-1", "2.4.1", GoldPlan, DemoBehavior.Healthy));
            devices.Add(Usp(2, "USP-Gateway-1", "2.4.1", BasicPlan, DemoBehavior.Healthy));
            devices.Add(Usp(3, "USP-Gateway-1", "2.3.0", GoldPlan, DemoBehavior.RejectsSsid));
        }
        Devices = devices;
    }

    public string RunId { get; }
    public IReadOnlyList<DemoDevice> Devices { get; }

    private DemoDevice Cwmp(int n, string model, string firmware, string plan, DemoBehavior behavior) =>
        new($"DEMO{RunId}C{n}", DeviceProtocol.Cwmp, model, firmware, plan, behavior, Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));

    private DemoDevice Usp(int n, string model, string firmware, string plan, DemoBehavior behavior) =>
        new($"DEMO{RunId}U{n}", DeviceProtocol.Usp, model, firmware, plan, behavior, "");

    public static IEnumerable<ServicePlan> Plans()
    {
        yield return new ServicePlan
        {
            Name = GoldPlan,
            Description = "Demo: fibre, dual-band Wi-Fi, one VoIP line, IPTV",
            DataEnabled = true,
            IptvEnabled = true,
            Vlans = new Vlans { DataVlan = 100, VoipVlan = 200, IptvVlan = 300 },
            PeriodicInformInterval = 3600,
            Wifi =
            {
                new WifiNetwork { Band = "2.4GHz", Ssid = "Demo-Home", Key = "demo-wifi-key-24", Enabled = true },
                new WifiNetwork { Band = "5GHz", Ssid = "Demo-Home-5G", Key = "demo-wifi-key-5g", Enabled = true },
            },
            VoipLines = { new VoipLine { Line = 1, DirectoryNumber = "+3215550100", SipUsername = "demo-sip", SipPassword = "demo-sip-secret", Registrar = "sip.demo.example" } },
        };
        yield return new ServicePlan
        {
            Name = BasicPlan,
            Description = "Demo: data and one Wi-Fi network",
            DataEnabled = true,
            Vlans = new Vlans { DataVlan = 100 },
            Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = "Demo-Basic", Key = "demo-basic-key", Enabled = true } },
        };
    }

    public IEnumerable<Device> Inventory() => Devices.Select(d => new Device
    {
        Identity = new DeviceRef { SerialNumber = d.SerialNumber, Oui = Oui, ProductClass = d.Model, Protocol = d.Protocol, EndpointId = d.EndpointId },
        CustomerId = $"DEMO-CUSTOMER-{d.SerialNumber}",
        ServicePlan = d.Plan,
        LocationId = "DEMO-LAB",
        CwmpUsername = d.Protocol == DeviceProtocol.Cwmp ? d.SerialNumber : "",
        CwmpPassword = d.CwmpPassword,
        // USP agents authenticate at the upgrade with a secret of their own (the demo's agents present it).
        AgentSecret = d.Protocol == DeviceProtocol.Usp ? AgentSecretOf(d) : "",
    });

    /// <summary>The demo agent's secret: per device and per run, never a fixed default.</summary>
    public string AgentSecretOf(DemoDevice device) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(_agentSecretKey, System.Text.Encoding.UTF8.GetBytes(device.SerialNumber)));

    private readonly byte[] _agentSecretKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
}

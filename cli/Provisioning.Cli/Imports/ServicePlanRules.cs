using System.Text.RegularExpressions;
using Provisioning.Contracts.DataModel;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Imports;

/// <summary>What makes a service plan pushable: checked on every plan before a file is loaded.</summary>
public static partial class ServicePlanRules
{
    private static readonly string[] Bands = ["2.4GHz", "5GHz", "6GHz"];

    public static IEnumerable<string> Check(ServicePlan plan)
    {
        if (plan.Name.Length == 0) yield return "name is empty";
        if (plan.Description.Length > 1024) yield return "description is longer than 1024 characters";
        else if (!PlanName().IsMatch(plan.Name)) yield return $"name '{plan.Name}' must be 1-64 letters, digits, '-', '_' or '.'";

        var bands = new HashSet<string>();
        foreach (var wifi in plan.Wifi)
        {
            var band = Bands.FirstOrDefault(b => string.Equals(b, wifi.Band, StringComparison.OrdinalIgnoreCase));
            if (band is null) yield return $"wifi band '{wifi.Band}' must be one of {string.Join(", ", Bands)}";
            else if (!bands.Add(band)) yield return $"wifi band {band} appears twice";
            if (wifi.Ssid.Length is 0 or > 32) yield return $"wifi {wifi.Band}: ssid must be 1-32 characters";
            // The same rules as the admin API (empty mode: WPA2-Personal); an open network ("None") takes no key.
            if (WifiSecurityMode.Canonical(wifi.SecurityMode) is not { } mode)
                yield return $"wifi {wifi.Band}: security_mode '{wifi.SecurityMode}' must be one of {string.Join(", ", WifiSecurityMode.Known)}";
            else if (WifiSecurityMode.KeyProblem(mode, wifi.Key) is { } problem)
                yield return $"wifi {wifi.Band}: key {problem}";
        }

        var lines = new HashSet<int>();
        foreach (var voip in plan.VoipLines)
        {
            if (voip.Line is < 1 or > 8) yield return $"voip line {voip.Line} must be between 1 and 8";
            else if (!lines.Add(voip.Line)) yield return $"voip line {voip.Line} appears twice";
            if (voip.SipUsername.Length == 0) yield return $"voip line {voip.Line}: sip_username is empty";
        }

        if (plan.Vlans is { } vlans)
        {
            foreach (var (name, id) in new[] { ("data_vlan", vlans.DataVlan), ("voip_vlan", vlans.VoipVlan), ("iptv_vlan", vlans.IptvVlan) })
                if (id > 4094) yield return $"vlans.{name} {id} must be 0 (none) or 1-4094";
        }

        foreach (var name in plan.ExtraParameters.Keys)
        {
            if (name.StartsWith("Device.", StringComparison.Ordinal) || name.StartsWith("InternetGatewayDevice.", StringComparison.Ordinal))
                yield return $"extra parameter '{name}' must be relative to the root (e.g. 'Time.NTPServer1')";
            else if (!ObjectPath.IsRelativeParameter(name))
                yield return $"extra parameter '{name}' is not a parameter path";
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._\-]{1,64}$")]
    private static partial Regex PlanName();
}

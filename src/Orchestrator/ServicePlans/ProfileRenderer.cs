using Provisioning.Contracts.DataModel;
using System.Globalization;
using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// Renders a service plan to data-model parameters for the root the device reports:
/// TR-181 ("Device.") or TR-098 ("InternetGatewayDevice."). Deterministic, so a resumed workflow renders
/// the same values again (secrets are never stored in events, only re-rendered from the plan).
/// </summary>
public static class ProfileRenderer
{
    public const string Tr181Root = "Device.";
    public const string Tr098Root = "InternetGatewayDevice.";
    private const string Tr098VoiceProfile = Tr098Root + "Services.VoiceService.1.VoiceProfile.1.";

    public static RenderedProfile Render(ServicePlanDocument plan, string dataModelRoot, DeviceProtocol protocol)
    {
        var tr098 = dataModelRoot == Tr098Root;
        var parameters = new List<ProfileParameter>();
        var bands = new List<string>();

        foreach (var wifi in plan.Wifi)
        {
            var index = BandIndex(wifi.Band);
            bands.Add(wifi.Band);
            if (tr098) AddTr098Wifi(parameters, index, wifi);
            else AddTr181Wifi(parameters, index, wifi);
        }

        // TR-104: a line works only in an enabled profile, and a factory-fresh gateway's profile is Disabled.
        if (tr098 && plan.VoipLines.Count > 0) parameters.Add(new(Tr098VoiceProfile + "Enable", "Enabled", ParameterType.String));
        foreach (var line in plan.VoipLines)
        {
            if (tr098) AddTr098Voip(parameters, line);
            else AddTr181Voip(parameters, line);
        }
        var registrar = plan.VoipLines.Select(l => l.Registrar).FirstOrDefault(r => !string.IsNullOrEmpty(r));
        if (registrar is not null)
        {
            parameters.Add(tr098
                ? new($"{Tr098VoiceProfile}SIP.RegistrarServer", registrar, ParameterType.String)
                : new($"{Tr181Root}Services.VoiceService.1.SIP.Network.1.RegistrarServer", registrar, ParameterType.String));
        }

        AddVlan(parameters, tr098, 1, plan.DataEnabled ? plan.DataVlan : 0);
        AddVlan(parameters, tr098, 2, plan.VoipLines.Count > 0 ? plan.VoipVlan : 0);
        AddVlan(parameters, tr098, 3, plan.IptvEnabled ? plan.IptvVlan : 0);

        if (plan.PeriodicInformInterval > 0)
        {
            var interval = plan.PeriodicInformInterval.ToString(CultureInfo.InvariantCulture);
            if (protocol == DeviceProtocol.Usp)
            {
                // The agent numbers its Controller table (ours may be instance 2): the adapter resolves "self" by EndpointID.
                parameters.Add(new($"{Tr181Root}LocalAgent.Controller.[EndpointID==self].PeriodicNotifInterval", interval, ParameterType.UnsignedInt));
            }
            else
            {
                parameters.Add(new($"{dataModelRoot}ManagementServer.PeriodicInformEnable", "true", ParameterType.Boolean));
                parameters.Add(new($"{dataModelRoot}ManagementServer.PeriodicInformInterval", interval, ParameterType.UnsignedInt));
            }
        }

        foreach (var (name, value) in plan.ExtraParameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parameters.Add(new(dataModelRoot + name.TrimStart('.'), value, ParameterType.String));
        }

        return new RenderedProfile(plan.Name, parameters, plan.VoipLines.Count > 0, plan.IptvEnabled, bands);
    }

    /// <summary>2.4 GHz is radio 1, 5 GHz radio 2, 6 GHz radio 3 — the common instance layout of dual/tri-band CPEs.</summary>
    public static int BandIndex(string band) => band.Replace(" ", "").ToUpperInvariant() switch
    {
        "2.4GHZ" or "2.4" or "2G" => 1,
        "5GHZ" or "5" or "5G" => 2,
        "6GHZ" or "6" or "6G" => 3,
        _ => throw new ArgumentException($"unknown Wi-Fi band '{band}' (expected 2.4GHz, 5GHz or 6GHz)", nameof(band)),
    };

    private static void AddTr181Wifi(List<ProfileParameter> parameters, int i, WifiNetworkSpec wifi)
    {
        parameters.Add(new($"Device.WiFi.SSID.{i}.Enable", Bool(wifi.Enabled), ParameterType.Boolean));
        parameters.Add(new($"Device.WiFi.SSID.{i}.SSID", wifi.Ssid, ParameterType.String));
        var mode = SecurityMode(wifi);
        parameters.Add(new($"Device.WiFi.AccessPoint.{i}.Security.ModeEnabled", mode, ParameterType.String));
        // An open network has no passphrase (and a CPE may refuse an empty one); Enterprise modes use RADIUS instead.
        if (WifiSecurityMode.TakesPassphrase(mode))
            parameters.Add(new($"Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase", wifi.Key, ParameterType.String, Secret: true));
    }

    private static void AddTr098Wifi(List<ProfileParameter> parameters, int i, WifiNetworkSpec wifi)
    {
        var prefix = $"InternetGatewayDevice.LANDevice.1.WLANConfiguration.{i}.";
        parameters.Add(new(prefix + "Enable", Bool(wifi.Enabled), ParameterType.Boolean));
        parameters.Add(new(prefix + "SSID", wifi.Ssid, ParameterType.String));
        var mode = SecurityMode(wifi);
        parameters.AddRange(Tr098WifiSecurity.For(prefix, mode));
        if (!Tr098WifiSecurity.IsOpen(mode))
            parameters.Add(new(prefix + "PreSharedKey.1.KeyPassphrase", wifi.Key, ParameterType.String, Secret: true));
    }

    private static void AddTr181Voip(List<ProfileParameter> parameters, VoipLineSpec line)
    {
        var client = $"Device.Services.VoiceService.1.SIP.Client.{line.Line}.";
        parameters.Add(new(client + "Enable", "true", ParameterType.Boolean));
        parameters.Add(new(client + "AuthUserName", line.SipUsername, ParameterType.String));
        parameters.Add(new(client + "AuthPassword", line.SipPassword, ParameterType.String, Secret: true));
        parameters.Add(new($"Device.Services.VoiceService.1.CallControl.Line.{line.Line}.DirectoryNumber", line.DirectoryNumber, ParameterType.String));
    }

    private static void AddTr098Voip(List<ProfileParameter> parameters, VoipLineSpec line)
    {
        var prefix = $"{Tr098VoiceProfile}Line.{line.Line}.";
        parameters.Add(new(prefix + "Enable", "Enabled", ParameterType.String));
        parameters.Add(new(prefix + "DirectoryNumber", line.DirectoryNumber, ParameterType.String));
        parameters.Add(new(prefix + "SIP.AuthUserName", line.SipUsername, ParameterType.String));
        parameters.Add(new(prefix + "SIP.AuthPassword", line.SipPassword, ParameterType.String, Secret: true));
    }

    private static void AddVlan(List<ProfileParameter> parameters, bool tr098, int index, uint vlan)
    {
        if (vlan == 0) return;
        var id = vlan.ToString(CultureInfo.InvariantCulture);
        if (tr098)
        {
            parameters.Add(new($"InternetGatewayDevice.Layer2Bridging.Bridge.{index}.BridgeEnable", "true", ParameterType.Boolean));
            parameters.Add(new($"InternetGatewayDevice.Layer2Bridging.Bridge.{index}.VLANID", id, ParameterType.UnsignedInt));
        }
        else
        {
            parameters.Add(new($"Device.Ethernet.VLANTermination.{index}.Enable", "true", ParameterType.Boolean));
            parameters.Add(new($"Device.Ethernet.VLANTermination.{index}.VLANID", id, ParameterType.UnsignedInt));
        }
    }

    private static string SecurityMode(WifiNetworkSpec wifi) => WifiSecurityMode.Canonical(wifi.SecurityMode) ?? wifi.SecurityMode;

    private static string Bool(bool value) => value ? "true" : "false";
}

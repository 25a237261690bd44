using Provisioning.Contracts.DataModel;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>What makes an inventory entry or a service plan acceptable, field by field.</summary>
public static class InventoryValidation
{
    public static void Validate(RequestValidation v, Device? device, string prefix)
    {
        if (device?.Identity is null)
        {
            v.Fail($"{prefix}identity", "is required");
            return;
        }
        var d = device.Identity;
        v.Require($"{prefix}identity.serial_number", d.SerialNumber, 64)
            .Limit($"{prefix}identity.oui", d.Oui, 6)
            .Check(d.Oui.All(Uri.IsHexDigit), $"{prefix}identity.oui", "must be 6 hexadecimal digits")
            .Limit($"{prefix}identity.product_class", d.ProductClass, 64)
            .Check(d.Protocol is DeviceProtocol.Cwmp or DeviceProtocol.Usp, $"{prefix}identity.protocol", "must be DEVICE_PROTOCOL_CWMP or DEVICE_PROTOCOL_USP")
            .Limit($"{prefix}identity.endpoint_id", d.EndpointId, 128)
            .Check(d.Protocol != DeviceProtocol.Usp || !string.IsNullOrWhiteSpace(d.EndpointId), $"{prefix}identity.endpoint_id", "is required for a USP agent")
            .Limit($"{prefix}customer_id", device.CustomerId, 128)
            .Limit($"{prefix}service_plan", device.ServicePlan, 128)
            .Limit($"{prefix}location_id", device.LocationId, 128)
            .Limit($"{prefix}cwmp_username", device.CwmpUsername, 256)
            .Limit($"{prefix}cwmp_password", device.CwmpPassword, 256)
            .Limit($"{prefix}connection_request_username", device.ConnectionRequestUsername, 256)
            .Limit($"{prefix}connection_request_password", device.ConnectionRequestPassword, 256)
            .Limit($"{prefix}bootstrap_username", device.BootstrapUsername, 256)
            .Limit($"{prefix}bootstrap_password", device.BootstrapPassword, 256)
            .Check(device.BootstrapUsername.Length == 0 || device.BootstrapPassword.Length > 0, $"{prefix}bootstrap_username", "goes with bootstrap_password")
            .Check(d.Protocol != DeviceProtocol.Usp || device.BootstrapPassword.Length == 0, $"{prefix}bootstrap_password", "is only for CWMP devices")
            .Limit($"{prefix}agent_secret", device.AgentSecret, 256)
            .Check(device.AgentSecret.Length is 0 or >= 8, $"{prefix}agent_secret", "must be at least 8 characters")
            .Check(d.Protocol != DeviceProtocol.Cwmp || device.AgentSecret.Length == 0, $"{prefix}agent_secret", "is only for USP agents");
        // credential_state is read-only: a read sent back as an update is not refused for it, it is ignored.
    }

    public static void Validate(RequestValidation v, ServicePlan? plan, string prefix)
    {
        if (plan is null)
        {
            v.Fail($"{prefix}plan", "is required");
            return;
        }
        v.Require($"{prefix}name", plan.Name, 128).Limit($"{prefix}description", plan.Description, 1024);
        for (var i = 0; i < plan.Wifi.Count; i++)
        {
            var w = plan.Wifi[i];
            var field = $"{prefix}wifi[{i}]";
            try { ProfileRenderer.BandIndex(w.Band); }
            catch (ArgumentException) { v.Fail($"{field}.band", "must be 2.4GHz, 5GHz or 6GHz"); }
            v.Check(w.Ssid.Length >= 1, $"{field}.ssid", "must be 1 to 32 characters")
                .Limit($"{field}.ssid", w.Ssid, 32)
                .Limit($"{field}.security_mode", w.SecurityMode, 64);
            if (WifiSecurityMode.Canonical(w.SecurityMode) is not { } mode)
                v.Fail($"{field}.security_mode", $"must be one of {string.Join(", ", WifiSecurityMode.Known)} (empty: {WifiSecurityMode.Default})");
            else if (WifiSecurityMode.KeyProblem(mode, w.Key) is { } problem)
                v.Fail($"{field}.key", problem);
        }
        if (plan.Wifi.Select(w => w.Band.Replace(" ", "").ToUpperInvariant()).Distinct().Count() != plan.Wifi.Count)
            v.Fail($"{prefix}wifi", "names a band twice");
        for (var i = 0; i < plan.VoipLines.Count; i++)
        {
            var l = plan.VoipLines[i];
            var field = $"{prefix}voip_lines[{i}]";
            v.Check(l.Line is >= 1 and <= 8, $"{field}.line", "must be between 1 and 8")
                .Require($"{field}.sip_username", l.SipUsername, 128)
                .Limit($"{field}.sip_password", l.SipPassword, 128)
                .Limit($"{field}.directory_number", l.DirectoryNumber, 64)
                .Limit($"{field}.registrar", l.Registrar, 256);
        }
        if (plan.Vlans is { } vlans)
        {
            v.Check(vlans.DataVlan <= 4094, $"{prefix}vlans.data_vlan", "must be 0 (none) to 4094")
                .Check(vlans.VoipVlan <= 4094, $"{prefix}vlans.voip_vlan", "must be 0 (none) to 4094")
                .Check(vlans.IptvVlan <= 4094, $"{prefix}vlans.iptv_vlan", "must be 0 (none) to 4094");
        }
        foreach (var (name, value) in plan.ExtraParameters)
        {
            v.Check(Contracts.DataModel.ObjectPath.IsRelativeParameter(name), $"{prefix}extra_parameters[{name}]",
                    "must be a parameter path relative to the data-model root (e.g. \"Time.NTPServer1\")")
                .Limit($"{prefix}extra_parameters[{name}]", value, 1024);
        }
    }
}

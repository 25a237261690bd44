namespace Provisioning.Simulators.Cwmp.DataModel;

public enum DataModelKind
{
    /// <summary>TR-181 "Device." root.</summary>
    Tr181,
    /// <summary>TR-098 "InternetGatewayDevice." root.</summary>
    Tr098,
}

/// <summary>Default data models: the parameters the orchestrator pushes, plus device info and management server.</summary>
public static class CpeDataModel
{
    public const string Bool = "xsd:boolean";
    public const string UInt = "xsd:unsignedInt";
    public const string Str = "xsd:string";

    public static string RootOf(DataModelKind kind) => kind == DataModelKind.Tr181 ? "Device." : "InternetGatewayDevice.";

    public static SortedDictionary<string, SimulatedParameter> Create(DataModelKind kind, SimulatedCpeOptions o, string connectionRequestUrl)
    {
        var m = new SortedDictionary<string, SimulatedParameter>(StringComparer.Ordinal);
        var root = RootOf(kind);
        void Add(string name, string value, string type = Str, bool writable = true, bool secret = false) =>
            m[root + name] = new SimulatedParameter(value, type, writable, secret);

        Add("DeviceInfo.Manufacturer", o.Manufacturer, writable: false);
        Add("DeviceInfo.ManufacturerOUI", o.Oui, writable: false);
        Add("DeviceInfo.ProductClass", o.ProductClass, writable: false);
        Add("DeviceInfo.SerialNumber", o.SerialNumber, writable: false);
        Add("DeviceInfo.ModelName", o.ModelName, writable: false);
        Add("DeviceInfo.HardwareVersion", o.HardwareVersion, writable: false);
        Add("DeviceInfo.SoftwareVersion", o.SoftwareVersion, writable: false);
        Add("DeviceInfo.ProvisioningCode", "");
        Add("ManagementServer.URL", o.AcsUrl.ToString());
        Add("ManagementServer.Username", o.Username ?? "");
        Add("ManagementServer.Password", o.Password ?? "", secret: true);
        Add("ManagementServer.ParameterKey", "", writable: false);
        Add("ManagementServer.ConnectionRequestURL", connectionRequestUrl, writable: false);
        Add("ManagementServer.ConnectionRequestUsername", o.ConnectionRequestUsername);
        Add("ManagementServer.ConnectionRequestPassword", o.ConnectionRequestPassword, secret: true);
        Add("ManagementServer.PeriodicInformEnable", "true", Bool);
        Add("ManagementServer.PeriodicInformInterval", "86400", UInt);

        if (kind == DataModelKind.Tr181)
        {
            Add("RootDataModelVersion", "2.15", writable: false);
            for (var i = 1; i <= 3; i++)
            {
                Add($"WiFi.SSID.{i}.SSID", $"{o.SerialNumber}-{i}");
                Add($"WiFi.SSID.{i}.Enable", "false", Bool);
                Add($"WiFi.AccessPoint.{i}.Security.ModeEnabled", "None");
                Add($"WiFi.AccessPoint.{i}.Security.KeyPassphrase", "", secret: true);
            }
            for (var n = 1; n <= 2; n++)
            {
                Add($"Services.VoiceService.1.SIP.Client.{n}.Enable", "false", Bool);
                Add($"Services.VoiceService.1.SIP.Client.{n}.AuthUserName", "");
                Add($"Services.VoiceService.1.SIP.Client.{n}.AuthPassword", "", secret: true);
                Add($"Services.VoiceService.1.CallControl.Line.{n}.DirectoryNumber", "");
            }
            Add("Services.VoiceService.1.SIP.Network.1.RegistrarServer", "");
            for (var k = 1; k <= 3; k++)
            {
                Add($"Ethernet.VLANTermination.{k}.Enable", "false", Bool);
                Add($"Ethernet.VLANTermination.{k}.VLANID", "0", UInt);
            }
        }
        else
        {
            for (var i = 1; i <= 3; i++)
            {
                var wlan = $"LANDevice.1.WLANConfiguration.{i}.";
                Add(wlan + "SSID", $"{o.SerialNumber}-{i}");
                Add(wlan + "Enable", "false", Bool);
                Add(wlan + "BeaconType", "Basic");
                // Every TR-098 WLANConfiguration has these; the ACS writes them with BeaconType.
                Add(wlan + "BasicEncryptionModes", "None");
                Add(wlan + "WPAEncryptionModes", "TKIPEncryption");
                Add(wlan + "WPAAuthenticationMode", "PSKAuthentication");
                Add(wlan + "IEEE11iEncryptionModes", "TKIPandAESEncryption");
                Add(wlan + "IEEE11iAuthenticationMode", "PSKAuthentication");
                Add(wlan + "PreSharedKey.1.KeyPassphrase", "", secret: true);
            }
            Add("Services.VoiceService.1.VoiceProfile.1.Enable", "Disabled"); // TR-104: lines work only in an enabled profile
            for (var n = 1; n <= 2; n++)
            {
                var line = $"Services.VoiceService.1.VoiceProfile.1.Line.{n}.";
                Add(line + "Enable", "Disabled");
                Add(line + "DirectoryNumber", "");
                Add(line + "SIP.AuthUserName", "");
                Add(line + "SIP.AuthPassword", "", secret: true);
            }
            Add("Services.VoiceService.1.VoiceProfile.1.SIP.RegistrarServer", "");
            for (var k = 1; k <= 3; k++)
            {
                Add($"Layer2Bridging.Bridge.{k}.VLANID", "0", UInt);
                Add($"Layer2Bridging.Bridge.{k}.BridgeEnable", "false", Bool);
            }
            Add("WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress", "192.0.2.10", writable: false);
        }
        foreach (var (name, value) in o.ExtraParameters) m[name.StartsWith(root, StringComparison.Ordinal) ? name : root + name] = new SimulatedParameter(value);
        return m;
    }

    /// <summary>The parameters a CPE of this model sends in every Inform (TR-069 Annex / TR-181 forced inform).</summary>
    public static string[] InformParameters(DataModelKind kind)
    {
        var root = RootOf(kind);
        string[] common = ["DeviceInfo.HardwareVersion", "DeviceInfo.SoftwareVersion", "DeviceInfo.ModelName", "DeviceInfo.ProvisioningCode",
            "ManagementServer.ConnectionRequestURL", "ManagementServer.ParameterKey"];
        var names = common.Select(n => root + n).ToList();
        names.Add(kind == DataModelKind.Tr181 ? "Device.RootDataModelVersion" : "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress");
        return [.. names];
    }

    /// <summary>Whether a value fits the parameter's type (CWMP fault 9007 otherwise).</summary>
    public static bool IsValid(string type, string value) => type switch
    {
        Bool => value is "true" or "false" or "1" or "0",
        UInt => uint.TryParse(value, out _),
        "xsd:int" => int.TryParse(value, out _),
        _ => true,
    };
}

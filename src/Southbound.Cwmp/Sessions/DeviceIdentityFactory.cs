using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>Derives the device's identity from an Inform: DeviceId plus the DeviceInfo / ManagementServer values in its ParameterList.</summary>
public static class DeviceIdentityFactory
{
    public const string Tr181Root = "Device.";
    public const string Tr098Root = "InternetGatewayDevice.";

    public static DeviceIdentity FromInform(Inform inform)
    {
        string? root = null, model = null, firmware = null, hardware = null, url = null, key = null;
        foreach (var p in inform.ParameterList)
        {
            var name = p.Name;
            root ??= name.StartsWith(Tr098Root, StringComparison.Ordinal) ? Tr098Root
                : name.StartsWith(Tr181Root, StringComparison.Ordinal) ? Tr181Root : null;
            if (name.EndsWith(".DeviceInfo.ModelName", StringComparison.Ordinal)) model = p.Value;
            else if (name.EndsWith(".DeviceInfo.SoftwareVersion", StringComparison.Ordinal)) firmware = p.Value;
            else if (name.EndsWith(".DeviceInfo.HardwareVersion", StringComparison.Ordinal)) hardware = p.Value;
            else if (name.EndsWith(".ManagementServer.ConnectionRequestURL", StringComparison.Ordinal)) url = p.Value;
            else if (name.EndsWith(".ManagementServer.ParameterKey", StringComparison.Ordinal)) key = p.Value;
        }
        var id = inform.DeviceId;
        return new DeviceIdentity
        {
            Device = new DeviceRef
            {
                SerialNumber = id.SerialNumber,
                Oui = id.Oui,
                ProductClass = id.ProductClass,
                Protocol = DeviceProtocol.Cwmp,
            },
            Manufacturer = id.Manufacturer,
            Model = model ?? id.ProductClass,
            FirmwareVersion = firmware ?? "",
            HardwareVersion = hardware ?? "",
            DataModelRoot = root ?? Tr181Root,
            Endpoint = url?.Trim() ?? "",
            ParameterKey = key ?? "",
        };
    }
}

using CsCheck;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Fuzzing;

/// <summary>Northbound requests with hostile field values: control characters, surrogates, huge strings, odd enums and numbers.</summary>
public static class RequestGenerators
{
    /// <summary>Mostly short plausible text, sometimes empty, control characters, lone surrogates or very long.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.String[Gen.Char["0123456789ABCDEFabcdef-_.: "], 0, 40]),
        (2, Gen.String[Gen.Char, 0, 20]),
        (1, Gen.OneOf("", " ", "\0", "\n", "\uD800", "\uFFFF", "Device. X", "2.4GHz", "5GHz", "6GHz", "2.4 ghz", "proto::a", "00D09E")),
        (1, Gen.Int[100, 70_000].Select(n => new string('x', n))));

    public static readonly Gen<DeviceRef> DeviceRef = Gen.Select(Text, Text, Text, Gen.Int[-2, 4], Text,
        (serial, oui, productClass, protocol, endpoint) => new DeviceRef
        {
            SerialNumber = serial, Oui = oui, ProductClass = productClass, Protocol = (DeviceProtocol)protocol, EndpointId = endpoint,
        });

    public static readonly Gen<Device> Device = Gen.Select(DeviceRef.Null(0.05), Gen.Select(Text, Text, Text), Gen.Select(Text, Text, Text, Text),
        (identity, customer, credentials) => new Device
        {
            Identity = identity,
            CustomerId = customer.Item1, ServicePlan = customer.Item2, LocationId = customer.Item3,
            CwmpUsername = credentials.Item1, CwmpPassword = credentials.Item2,
            ConnectionRequestUsername = credentials.Item3, ConnectionRequestPassword = credentials.Item4,
        });

    private static readonly Gen<WifiNetwork> Wifi = Gen.Select(Text, Text, Text, Text, Gen.Bool,
        (band, ssid, key, mode, enabled) => new WifiNetwork { Band = band, Ssid = ssid, Key = key, SecurityMode = mode, Enabled = enabled });

    private static readonly Gen<VoipLine> Voip = Gen.Select(Gen.Int[0, 10], Text, Text, Text, Gen.Select(Text, Text),
        (line, number, user, password, registrar) => new VoipLine
        {
            Line = line, DirectoryNumber = number, SipUsername = user, SipPassword = password, Registrar = registrar.Item1,
        });

    public static readonly Gen<ServicePlan> ServicePlan = Gen.Select(Gen.Select(Text, Text, Gen.Bool, Gen.Bool),
        Gen.Select(Gen.UInt, Gen.UInt[0, 5000], Gen.UInt[0, 5000]), Wifi.List[0, 4], Voip.List[0, 3], Gen.Dictionary(Text, Text)[0, 4],
        (basics, numbers, wifi, voip, extra) =>
        {
            var plan = new ServicePlan
            {
                Name = basics.Item1, Description = basics.Item2, DataEnabled = basics.Item3, IptvEnabled = basics.Item4,
                PeriodicInformInterval = numbers.Item1,
                Vlans = new Vlans { DataVlan = numbers.Item2, VoipVlan = numbers.Item3, IptvVlan = numbers.Item1 },
            };
            plan.Wifi.AddRange(wifi);
            plan.VoipLines.AddRange(voip);
            foreach (var (name, value) in extra) plan.ExtraParameters[name] = value;
            return plan;
        });

    public static readonly Gen<ProvisionDeviceRequest> ProvisionDevice = Gen.Select(DeviceRef.Null(0.05), Text, Text,
        (device, requestId, plan) => new ProvisionDeviceRequest { Device = device, RequestId = requestId, ServicePlanOverride = plan });
}

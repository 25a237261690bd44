namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>A service plan as the default BSS keeps it (in Marten), keyed by name.</summary>
public sealed record ServicePlanDocument
{
    public string Id { get; init; } = "";
    public string Description { get; init; } = "";
    public bool DataEnabled { get; init; }
    public IReadOnlyList<WifiNetworkSpec> Wifi { get; init; } = [];
    public IReadOnlyList<VoipLineSpec> VoipLines { get; init; } = [];
    public bool IptvEnabled { get; init; }
    public uint DataVlan { get; init; }
    public uint VoipVlan { get; init; }
    public uint IptvVlan { get; init; }
    public uint PeriodicInformInterval { get; init; }
    public IReadOnlyDictionary<string, string> ExtraParameters { get; init; } = new Dictionary<string, string>();

    public string Name => Id;
}

public sealed record WifiNetworkSpec(string Band, string Ssid, string Key, string SecurityMode, bool Enabled);

public sealed record VoipLineSpec(int Line, string DirectoryNumber, string SipUsername, string SipPassword, string Registrar);

using Provisioning.Simulators.Cwmp.DataModel;

namespace Provisioning.Simulators.Cwmp;

public enum CpeAuthScheme
{
    /// <summary>Answer whatever the ACS challenges with (Digest preferred).</summary>
    Auto,
    /// <summary>Send Basic pre-emptively, as many field CPEs do.</summary>
    Basic,
    /// <summary>Only answer a Digest challenge.</summary>
    Digest,
}

/// <summary>Who a simulated CPE is and how it talks to the ACS.</summary>
public sealed record SimulatedCpeOptions
{
    public required string SerialNumber { get; init; }
    public required Uri AcsUrl { get; init; }
    public string Oui { get; init; } = "00D09E";
    public string ProductClass { get; init; } = "SimGateway";
    public string Manufacturer { get; init; } = "Simulated CPE Inc.";
    public string ModelName { get; init; } = "SIM-1000";
    public string HardwareVersion { get; init; } = "HW1";
    public string SoftwareVersion { get; init; } = "1.0.0";
    public DataModelKind DataModel { get; init; } = DataModelKind.Tr181;
    /// <summary>"urn:dslforum-org:cwmp-1-0" for an old device; cwmp-1-2 (CWMP 1.2-1.4) by default.</summary>
    public string CwmpNamespace { get; init; } = "urn:dslforum-org:cwmp-1-2";
    /// <summary>Sent as SupportedCWMPVersions when set (CWMP 1.4 devices).</summary>
    public string? SupportedVersions { get; init; } = "1.0,1.1,1.2,1.3,1.4";
    public string? Username { get; init; }
    public string? Password { get; init; }
    public CpeAuthScheme AuthScheme { get; init; } = CpeAuthScheme.Auto;
    public string ConnectionRequestUsername { get; init; } = "cr-user";
    public string ConnectionRequestPassword { get; init; } = "cr-pass";
    /// <summary>More parameters (name relative to the root, or absolute) and their values.</summary>
    public IReadOnlyDictionary<string, string> ExtraParameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Per-request HTTP timeout (a held empty POST waits up to the ACS's hold timeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("SerialNumber = ").Append(SerialNumber).Append(", AcsUrl = ").Append(AcsUrl).Append(", Username = ").Append(Username);
        return true;
    }
}

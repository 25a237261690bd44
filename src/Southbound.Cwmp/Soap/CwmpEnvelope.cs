using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Soap;

/// <summary>The SOAP header fields CWMP defines (TR-069 A.4.1).</summary>
public sealed record CwmpHeader
{
    public static readonly CwmpHeader Empty = new();

    /// <summary>cwmp:ID: echoed in the response to the request that carried it.</summary>
    public string? Id { get; init; }
    public bool? HoldRequests { get; init; }
    /// <summary>CPE's SupportedCWMPVersions (CWMP 1.4), e.g. "1.0,1.1,1.2,1.3,1.4".</summary>
    public string? SupportedCwmpVersions { get; init; }
    /// <summary>ACS's UseCWMPVersion (CWMP 1.4).</summary>
    public string? UseCwmpVersion { get; init; }
    /// <summary>SessionTimeout in seconds (CWMP 1.3+).</summary>
    public int? SessionTimeout { get; init; }
}

/// <summary>One parsed or to-be-written envelope: header, body message and the cwmp namespace it uses.</summary>
/// <param name="Body">Null for an envelope with an empty body.</param>
public sealed record CwmpEnvelope(string CwmpNamespace, CwmpHeader Header, CwmpMessage? Body);

namespace Provisioning.Southbound.Cwmp.Soap;

/// <summary>The XML namespaces of CWMP envelopes and the conventional prefixes the ACS writes them with.</summary>
public static class CwmpNamespaces
{
    public const string SoapEnvelope = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string SoapEncoding = "http://schemas.xmlsoap.org/soap/encoding/";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema";
    public const string Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    public const string Cwmp10 = "urn:dslforum-org:cwmp-1-0";
    public const string Cwmp11 = "urn:dslforum-org:cwmp-1-1";
    /// <summary>CWMP 1.2, 1.3 and 1.4 all use this namespace.</summary>
    public const string Cwmp12 = "urn:dslforum-org:cwmp-1-2";

    /// <summary>The newest CWMP version this ACS speaks (offered in UseCWMPVersion).</summary>
    public const string HighestVersion = "1.4";

    /// <summary>One of the cwmp namespaces this ACS speaks.</summary>
    public static bool IsCwmp(string ns) => ns is Cwmp10 or Cwmp11 or Cwmp12;

    /// <summary>Any namespace of the cwmp family, known or not (urn:dslforum-org:cwmp-1-9).</summary>
    public static bool LooksLikeCwmp(string ns) => ns.StartsWith("urn:dslforum-org:cwmp-", StringComparison.Ordinal);

    /// <summary>The CWMP headers this ACS understands (A.4.1), in a cwmp namespace (or unqualified, as sloppy stacks write them).</summary>
    public static bool IsUnderstoodHeader(string ns, string localName) =>
        (IsCwmp(ns) || ns.Length == 0)
        && localName is "ID" or "HoldRequests" or "SessionTimeout" or "SupportedCWMPVersions" or "UseCWMPVersion" or "NoMoreRequests";

    /// <summary>Interned instance of a known namespace, so a session can keep it without holding the reader's string.</summary>
    public static string Normalize(string ns) => ns switch
    {
        Cwmp10 => Cwmp10,
        Cwmp11 => Cwmp11,
        Cwmp12 => Cwmp12,
        _ => ns,
    };

    /// <summary>
    /// The cwmp namespace an envelope declares, found in its raw bytes; null when it names none. For the fault that
    /// answers an envelope the reader refused (truncated, an argument missing): a CPE that used cwmp-1-2 must get
    /// its fault in cwmp-1-2 too (A.2), which a fixed cwmp-1-0 fault broke for strict CPE stacks.
    /// </summary>
    public static string? Declared(ReadOnlySpan<byte> envelope)
    {
        var prefix = "urn:dslforum-org:cwmp-1-"u8;
        var at = envelope.IndexOf(prefix);
        if (at < 0 || at + prefix.Length + 1 >= envelope.Length) return null;
        var end = envelope[at + prefix.Length + 1];
        if (end != '"' && end != '\'') return null;
        return envelope[at + prefix.Length] switch
        {
            (byte)'0' => Cwmp10,
            (byte)'1' => Cwmp11,
            (byte)'2' => Cwmp12,
            _ => null,
        };
    }

    /// <summary>
    /// Picks the version for UseCWMPVersion from the CPE's SupportedCWMPVersions ("1.0,1.1,1.2,1.3,1.4"):
    /// the highest the CPE lists that this ACS also speaks; null when none.
    /// </summary>
    public static string? NegotiateVersion(string supportedVersions)
    {
        string? best = null;
        foreach (var range in supportedVersions.AsSpan().Split(','))
        {
            var v = supportedVersions.AsSpan(range).Trim();
            if (v.Length != 3 || v[0] != '1' || v[1] != '.' || v[2] < '0' || v[2] > '4') continue;
            if (best is null || v[2] > best[2]) best = v.ToString();
        }
        return best;
    }
}

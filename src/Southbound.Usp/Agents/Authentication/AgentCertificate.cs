using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>
/// An agent's TLS client certificate: trusted when it chains to the configured CA (else the system trust) for client
/// authentication, and bound to an endpoint ID by a subjectAltName URI <c>urn:bbf:usp:id:&lt;endpoint id&gt;</c>
/// (TR-369 R-SEC.4), or, where allowed, a subject CN equal to the endpoint ID.
/// </summary>
internal sealed class AgentCertificate(X509Certificate2Collection? trustedCas, bool acceptCommonName)
{
    public const string UspIdUriPrefix = "urn:bbf:usp:id:";
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static AgentCertificate FromOptions(UspAuthOptions options)
    {
        X509Certificate2Collection? cas = null;
        if (!string.IsNullOrWhiteSpace(options.ClientCaPath))
        {
            cas = [];
            cas.ImportFromPemFile(options.ClientCaPath);
        }
        return new AgentCertificate(cas, options.AcceptCommonName);
    }

    /// <summary>Null when the certificate is trusted, else why not.</summary>
    public string? Untrusted(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (trustedCas is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
        }
        if (chain.Build(certificate)) return null;
        var status = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        return "client certificate not trusted: " + string.Join(',', status);
    }

    /// <summary>Whether the certificate names this endpoint ID (SAN URI, or CN where allowed).</summary>
    public bool IsBoundTo(X509Certificate2 certificate, string endpointId)
    {
        var uris = UspIds(certificate).ToList();
        if (uris.Count > 0) return uris.Contains(endpointId, StringComparer.Ordinal);
        return acceptCommonName && string.Equals(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false), endpointId, StringComparison.Ordinal);
    }

    /// <summary>The endpoint IDs in the certificate's subjectAltName URIs (urn:bbf:usp:id:...).</summary>
    public static IEnumerable<string> UspIds(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid) continue;
            foreach (var uri in Uris(extension.RawData))
                if (uri.StartsWith(UspIdUriPrefix, StringComparison.OrdinalIgnoreCase)) yield return uri[UspIdUriPrefix.Length..];
        }
    }

    // GeneralNames ::= SEQUENCE OF GeneralName; uniformResourceIdentifier is [6] IA5String (RFC 5280 4.2.1.6).
    // .NET's X509SubjectAlternativeNameExtension reads DNS names and IP addresses only.
    private static List<string> Uris(byte[] raw)
    {
        var uris = new List<string>();
        try
        {
            var names = new AsnReader(raw, AsnEncodingRules.DER).ReadSequence();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(uriTag)) uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
                else names.ReadEncodedValue();
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension names nobody.
        }
        return uris;
    }
}

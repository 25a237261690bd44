using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>
/// A throw-away PKI for WSS tests: a CA, the controller's server certificate for 127.0.0.1 (PEM files for Usp:Tls) and
/// agent client certificates bound to an endpoint ID the way TR-369 R-SEC.4 binds them (SAN URI urn:bbf:usp:id:...).
/// </summary>
public sealed class AgentPki : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("usp-pki-").FullName;
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public AgentPki(string name = "USP Test CA")
    {
        var request = new CertificateRequest("CN=" + name, _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        CaPath = Write("ca.pem", _ca.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        using var server = Issue("CN=localhost", serverKey, names, new Oid("1.3.6.1.5.5.7.3.1"));
        ServerCertificatePath = Write("server.pem", server.ExportCertificatePem());
        ServerKeyPath = Write("server.key", serverKey.ExportPkcs8PrivateKeyPem());
    }

    public string CaPath { get; }
    public string ServerCertificatePath { get; }
    public string ServerKeyPath { get; }
    public X509Certificate2 Ca => _ca;

    /// <summary>An agent's client certificate (with its key) naming <paramref name="endpointId"/> in a SAN URI, or only as CN.</summary>
    public X509Certificate2 AgentCertificate(string endpointId, bool inSubjectAltName = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        SubjectAlternativeNameBuilder? names = null;
        if (inSubjectAltName)
        {
            names = new SubjectAlternativeNameBuilder();
            names.AddUri(new Uri("urn:bbf:usp:id:" + endpointId));
        }
        using var certificate = Issue("CN=" + endpointId, key, names, new Oid("1.3.6.1.5.5.7.3.2"));
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Through PKCS#12: TLS on Linux wants a key it can hand to OpenSSL, not an ephemeral CNG-style handle.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12, "x"), "x");
    }

    /// <summary>Writes a PEM certificate and key for the independent agent's --cert/--key.</summary>
    public (string CertificatePath, string KeyPath) AgentCertificateFiles(string endpointId, string name)
    {
        using var certificate = AgentCertificate(endpointId);
        var key = certificate.GetECDsaPrivateKey()!;
        return (Write(name + ".pem", certificate.ExportCertificatePem()), Write(name + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    private X509Certificate2 Issue(string subject, ECDsa key, SubjectAlternativeNameBuilder? names, Oid usage)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (names is not null) request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        return request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(16));
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

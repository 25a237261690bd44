using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>A throw-away server certificate for 127.0.0.1, as PEM files for "Cwmp:Tls" (the ACS's HTTPS listener).</summary>
public sealed class SelfSignedCertificate : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cwmp-tls-").FullName;

    public SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        CertificatePath = Path.Combine(folder, "acs.pem");
        KeyPath = Path.Combine(folder, "acs.key");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Thumbprint = certificate.Thumbprint;
    }

    public string CertificatePath { get; }
    public string KeyPath { get; }
    public string Thumbprint { get; }

    /// <summary>An HTTP client that trusts exactly this certificate.</summary>
    public HttpClient Client() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == Thumbprint,
        UseCookies = false,
    });

    public void Dispose() => Directory.Delete(folder, recursive: true);
}

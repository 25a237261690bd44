using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Provisioning.ServiceDefaults.Tls;

/// <summary>
/// A listener's certificate and the CA its peers are checked against, from a configuration section such as
/// "Orchestrator:Tls", "Cwmp:Tls", "Usp:Tls" or "Usp:Mqtt:Tls": CertificatePath + KeyPath (PEM) or PfxPath
/// (+ PfxPassword), and CaPath (PEM) for the clients of internal channels.
/// </summary>
public sealed record TlsSettings(string? CertificatePath, string? KeyPath, string? PfxPath, string? PfxPassword, string? CaPath)
{
    public static TlsSettings From(IConfiguration configuration, string section)
    {
        var s = configuration.GetSection(section);
        return new TlsSettings(Value(s["CertificatePath"]), Value(s["KeyPath"]), Value(s["PfxPath"]), s["PfxPassword"], Value(s["CaPath"]));
    }

    public bool HasCertificate => CertificatePath is not null || PfxPath is not null;

    public X509Certificate2 LoadCertificate()
    {
        if (PfxPath is not null) return X509CertificateLoader.LoadPkcs12FromFile(PfxPath, PfxPassword);
        if (CertificatePath is null) throw new InvalidOperationException("no TLS certificate is configured");
        return X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
    }

    public X509Certificate2? LoadCa() => CaPath is null ? null : X509CertificateLoader.LoadCertificateFromFile(CaPath);

    private static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}

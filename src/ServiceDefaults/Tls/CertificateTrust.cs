using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Provisioning.ServiceDefaults.Tls;

/// <summary>Accepts a server certificate that chains to a given CA (private PKI of the deployment) or to the system roots.</summary>
public static class CertificateTrust
{
    public static bool Validate(X509Certificate2? ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        // A wrong host name or a missing certificate is never excused by a private CA.
        if (ca is null || certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>Trust for an HTTP handler of an internal channel (gRPC clients between the orchestrator and adapters).</summary>
    public static void Apply(HttpMessageHandler handler, X509Certificate2? ca)
    {
        if (ca is null) return;
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(ca, certificate, errors);
                break;
            case HttpClientHandler client:
                client.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Validate(ca, certificate, errors);
                break;
        }
    }
}

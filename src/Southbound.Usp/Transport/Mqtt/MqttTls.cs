using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using Provisioning.ServiceDefaults.Tls;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>MQTT over TLS ("Usp:Mqtt:Tls:*"): the broker's CA and, for brokers that want one, a client certificate.</summary>
public sealed class UspMqttTlsOptions
{
    /// <summary>PEM CA the broker's certificate must chain to (a private PKI); system roots otherwise.</summary>
    public string? CaPath { get; set; }
    /// <summary>Client certificate (PEM) and its key, for brokers that require mutual TLS.</summary>
    public string? CertificatePath { get; set; }
    public string? KeyPath { get; set; }
}

internal static class MqttTls
{
    /// <summary>TLS when the broker URL is mqtts:// (default port 8883) or a TLS setting is present.</summary>
    public static bool Wanted(Uri broker, UspMqttTlsOptions tls) =>
        broker.Scheme is "mqtts" or "ssl" or "tls" || tls.CaPath is not null || tls.CertificatePath is not null;

    public static MqttClientOptionsBuilder WithTls(this MqttClientOptionsBuilder options, Uri broker, UspMqttTlsOptions tls)
    {
        if (!Wanted(broker, tls)) return options;
        var ca = tls.CaPath is null ? null : X509CertificateLoader.LoadCertificateFromFile(tls.CaPath);
        return options.WithTlsOptions(o =>
        {
            o.UseTls();
            o.WithTargetHost(broker.Host);
            o.WithCertificateValidationHandler(args => CertificateTrust.Validate(ca, args.Certificate, args.SslPolicyErrors));
            if (tls.CertificatePath is not null)
                o.WithClientCertificates([X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath)]);
        });
    }
}

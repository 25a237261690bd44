using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provisioning.ServiceDefaults.Security;

namespace Provisioning.ServiceDefaults.Tls;

public static class TlsExtensions
{
    /// <summary>
    /// Every listener of this host whose URL is https:// serves the certificate configured in <paramref name="section"/>
    /// (e.g. "Cwmp:Tls"). With an https:// URL and no certificate the host fails at start with Kestrel's own message.
    /// </summary>
    public static WebApplicationBuilder UseTlsCertificateFrom(this WebApplicationBuilder builder, string section)
    {
        var settings = TlsSettings.From(builder.Configuration, section);
        if (!settings.HasCertificate) return builder;
        var certificate = settings.LoadCertificate();
        // First of all Kestrel configurations: ListenOptions.UseHttps() reads the defaults when it is called, so they must be
        // in place before any listener is declared, whichever order the host's extensions run in.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>>(
            new ConfigureOptions<KestrelServerOptions>(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate))));
        return builder;
    }

    /// <summary>TLS on this listener when its configured URL says https.</summary>
    public static ListenOptions UseTlsWhenHttps(this ListenOptions listen, Uri url)
    {
        if (string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)) listen.UseHttps();
        return listen;
    }

    /// <summary>
    /// A gRPC client of an internal channel: sends the internal key and trusts the CA in <paramref name="tlsSection"/>:CaPath
    /// when the peer's address is https://.
    /// </summary>
    public static IHttpClientBuilder AddInternalChannel(this IHttpClientBuilder client, IConfiguration configuration, string tlsSection)
    {
        var ca = TlsSettings.From(configuration, tlsSection).LoadCa();
        client.ConfigurePrimaryHttpMessageHandler((handler, _) => CertificateTrust.Apply(handler, ca));
        return client.AddInternalKey(configuration);
    }
}

using Microsoft.AspNetCore.Builder;
using Provisioning.ServiceDefaults;
using Provisioning.ServiceDefaults.Grpc;
using Provisioning.ServiceDefaults.Security;
using Provisioning.ServiceDefaults.Tls;
using Provisioning.Southbound.Cwmp.Extensions;

namespace Provisioning.Southbound.Cwmp;

/// <summary>The TR-069 ACS adapter host: standalone (Program.cs) or hosted in-process by the orchestrator.</summary>
public static class CwmpAdapterApplication
{
    /// <summary>Builds (does not start) the adapter host. <paramref name="configure"/> may add configuration/services before Build().</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Own application name and content root: hosted in-process, the host's entry assembly and folder are not ours.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(CwmpAdapterApplication).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);
        builder.AddProvisioningTelemetry("provisioning-southbound-cwmp");
        // https:// listeners serve Cwmp:Tls's certificate; the DeviceAdapter gRPC server wants the internal key.
        builder.RequireInternalKey().UseTlsCertificateFrom("Cwmp:Tls");
        builder.AddCwmpAdapter();
        builder.AnswerMalformedRequestsWithInvalidArgument();
        var app = builder.Build();
        app.MapCwmpAdapter();
        return app;
    }
}

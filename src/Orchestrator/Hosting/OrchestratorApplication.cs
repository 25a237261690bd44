using Provisioning.Orchestrator.Extensions;
using Provisioning.ServiceDefaults;
using Provisioning.ServiceDefaults.Grpc;

namespace Provisioning.Orchestrator.Hosting;

/// <summary>Builds the orchestrator host; Program runs it, tests start it in-process with their own settings.</summary>
public static class OrchestratorApplication
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        if (builder.Configuration.GetValue(HostedAdapters.Setting, defaultValue: true))
            builder.Configuration.AddInMemoryCollection(InProcessWiring.Derive(builder.Configuration));
        builder.AddProvisioningTelemetry("cpe-orchestrator");
        await builder.AddProvisioningStoreAsync();
        builder.AddOrchestrator();
        builder.AnswerMalformedRequestsWithInvalidArgument();

        var app = builder.Build();
        app.MapOrchestrator();
        return app;
    }
}

using Provisioning.Orchestrator.Extensions;
using Provisioning.ServiceDefaults;
using Provisioning.ServiceDefaults.Grpc;

namespace Provisioning.Orchestrator.Hosting;

/// <summary>
/// Builds the orchestrator host; Program runs it, the launcher adds the embedded store and the in-process adapters
/// through <c>prepare</c>, and tests start it in-process with their own settings.
/// </summary>
public static class OrchestratorApplication
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        BuildAsync(args, builder =>
        {
            configure?.Invoke(builder);
            return Task.CompletedTask;
        });

    /// <param name="prepare">Runs on the builder before any service is added (settings, a store to start first).</param>
    public static async Task<WebApplication> BuildAsync(string[] args, Func<WebApplicationBuilder, Task> prepare)
    {
        var builder = WebApplication.CreateBuilder(args);
        await prepare(builder);
        builder.AddProvisioningTelemetry("cpe-orchestrator");
        await builder.AddProvisioningStoreAsync();
        builder.AddOrchestrator();
        builder.AddFirmwareImages();
        builder.AnswerMalformedRequestsWithInvalidArgument();

        var app = builder.Build();
        app.MapOrchestrator();
        app.MapFirmwareImages();
        return app;
    }
}

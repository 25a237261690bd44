using Provisioning.Launcher.Hosting;
using Provisioning.Launcher.Storage;
using Provisioning.Orchestrator.Hosting;

namespace Provisioning.Launcher;

/// <summary>
/// The main job of <c>./scripts/run.sh</c>: the orchestrator, with the CWMP ACS and the USP controller as hosts of
/// their own in its process (Orchestrator:HostAdapters, default on), the two sides of each gRPC hop wired to each
/// other's listeners, and the embedded PostgreSQL when no connection string is configured.
/// </summary>
public static class OneProcessApplication
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        OrchestratorApplication.BuildAsync(args, async builder =>
        {
            configure?.Invoke(builder);
            await builder.AddEmbeddedStoreAsync();
            if (!builder.Configuration.GetValue(HostedAdapters.Setting, defaultValue: true)) return;
            builder.Configuration.AddInMemoryCollection(InProcessWiring.Derive(builder.Configuration));
            builder.Services.AddHostedService<HostedAdapters>();
        });
}

using Provisioning.Orchestrator.Extensions;
using Provisioning.ServiceDefaults.Settings;

namespace Provisioning.Launcher.Storage;

public static class EmbeddedStore
{
    /// <summary>
    /// With no connection string configured, starts (or reuses) the embedded cluster and configures its connection
    /// string, so the orchestrator's store finds one as it would in production; the cluster stops with the host.
    /// </summary>
    public static async Task AddEmbeddedStoreAsync(this WebApplicationBuilder builder)
    {
        var settings = builder.AddSettings<EmbeddedStoreOptions>(EmbeddedStoreOptions.Section);
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(StoreExtensions.ConnectionStringName))) return;
        var embedded = await EmbeddedPostgres.StartAsync(settings.EmbeddedDataDirectory, settings.EmbeddedPort);
        builder.Services.AddSingleton(embedded);
        builder.Services.AddHostedService<EmbeddedPostgresLifetime>();
        builder.Configuration.AddInMemoryCollection([new($"ConnectionStrings:{StoreExtensions.ConnectionStringName}", embedded.ConnectionString)]);
    }
}

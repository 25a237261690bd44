using Provisioning.Orchestrator.Southbound;

namespace Provisioning.Orchestrator.Hosting;

/// <summary>Says at start-up where everything listens, so whoever started it knows what to point devices and clients at.</summary>
public sealed partial class ListeningBanner(IConfiguration configuration, ILogger<ListeningBanner> logger, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var adapters = configuration.GetSection(AdapterOptions.Section).Get<AdapterOptions>() ?? new();
            var store = new Npgsql.NpgsqlConnectionStringBuilder(configuration.GetConnectionString(Extensions.StoreExtensions.ConnectionStringName));
            Listening(logger,
                configuration["Orchestrator:GrpcUrl"] ?? OrchestratorDefaults.GrpcUrl,
                $"{store.Host}:{store.Port}/{store.Database}",
                adapters.Cwmp, adapters.Usp);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(3001, LogLevel.Information, "Orchestrator ready. Northbound gRPC: {GrpcUrl} (reflection and health enabled). PostgreSQL: {Store}. Adapters reached at CWMP {Cwmp}, USP {Usp}")]
    private static partial void Listening(ILogger logger, string grpcUrl, string store, string cwmp, string usp);
}

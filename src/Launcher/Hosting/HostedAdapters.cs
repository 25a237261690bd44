using Provisioning.Launcher.Broker;
using Provisioning.ServiceDefaults;
using Provisioning.Southbound.Cwmp;
using Provisioning.Southbound.Usp;

namespace Provisioning.Launcher.Hosting;

/// <summary>
/// The default deployment: the CWMP ACS and the USP controller run in the orchestrator's process, each as its own
/// host with its own listeners, and the orchestrator still reaches them over gRPC (loopback) exactly as it would
/// reach them in separate processes. Off with Orchestrator:HostAdapters=false (the launcher's setting).
/// </summary>
public sealed partial class HostedAdapters(IConfiguration configuration, ILogger<HostedAdapters> logger) : IHostedService
{
    public const string Setting = "Orchestrator:HostAdapters";
    private readonly List<WebApplication> _adapters = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        (string Name, Func<string[], Action<WebApplicationBuilder>?, WebApplication> Build, Action<WebApplicationBuilder> Extras)[] adapters =
        [
            ("CWMP ACS", CwmpAdapterApplication.Build, _ => { }),
            // The USP controller's broker, when MQTT is on and none is configured, is the launcher's own mosquitto.
            ("USP controller", UspAdapterApplication.Build, builder => builder.AddLocalBroker()),
        ];
        foreach (var (name, build, extras) in adapters)
        {
            var adapter = build([], builder =>
            {
                builder.Configuration.AddConfiguration(configuration);
                // The orchestrator's telemetry already covers every source in the process. Added as a source of its own:
                // setting a key through the indexer would write it into the orchestrator's configuration as well (a
                // chained provider passes writes on), under the feet of services reading their options right now.
                builder.Configuration.AddInMemoryCollection([new(TelemetryExtensions.SharedTelemetryKey, "true")]);
                extras(builder);
            });
            await adapter.StartAsync(cancellationToken);
            _adapters.Add(adapter);
            Started(logger, name, string.Join(", ", adapter.Urls));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var adapter in Enumerable.Reverse(_adapters))
        {
            await adapter.StopAsync(cancellationToken);
            await adapter.DisposeAsync();
        }
        _adapters.Clear();
    }

    [LoggerMessage(3002, LogLevel.Information, "Adapter {Adapter} started in-process, listening on {Urls}")]
    private static partial void Started(ILogger logger, string adapter, string urls);
}

using Provisioning.ServiceDefaults.Connections;
using Provisioning.Orchestrator.Hosting;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Southbound.Cwmp;
using Provisioning.Southbound.Usp;

namespace Provisioning.Launcher.Hosting;

/// <summary>
/// In the one-process deployment the two sides of each gRPC hop are configured in one place, so each side's address
/// follows from the other's listener: the adapters report contacts to wherever Orchestrator:GrpcUrl listens, and the
/// orchestrator calls the adapters wherever Cwmp:GrpcUrl and Usp:GrpcUrl listen. Without this, moving one port as
/// README's table offers left the other side dialling the default (every device then failed its lookup). A key set
/// explicitly still wins.
/// </summary>
public static class InProcessWiring
{
    public static IEnumerable<KeyValuePair<string, string?>> Derive(IConfiguration configuration)
    {
        var orchestrator = Dialable(configuration["Orchestrator:GrpcUrl"] ?? OrchestratorDefaults.GrpcUrl);
        var cwmp = Dialable(configuration[$"{CwmpOptions.Section}:GrpcUrl"] ?? new CwmpOptions().GrpcUrl);
        var usp = Dialable(configuration[$"{UspOptions.Section}:GrpcUrl"] ?? new UspOptions().GrpcUrl);
        (string Key, string Value)[] wiring =
        [
            ($"{CwmpOptions.Section}:OrchestratorUrl", orchestrator),
            ($"{UspOptions.Section}:OrchestratorUrl", orchestrator),
            ($"{AdapterOptions.Section}:Cwmp", cwmp),
            ($"{AdapterOptions.Section}:Usp", usp),
        ];
        foreach (var (key, value) in wiring)
            if (string.IsNullOrEmpty(configuration[key])) yield return new(key, value);
    }

    /// <summary>A listen URL as a client dials it (see <see cref="Listener.Dialable"/>).</summary>
    public static string Dialable(string listenUrl) => Listener.Dialable(listenUrl);
}

namespace Provisioning.Orchestrator.Southbound;

/// <summary>Where the orchestrator reaches its adapters over gRPC (configuration section "Orchestrator:Adapters").</summary>
public sealed class AdapterOptions
{
    public const string Section = "Orchestrator:Adapters";

    public string Cwmp { get; set; } = "http://127.0.0.1:50061";
    public string Usp { get; set; } = "http://127.0.0.1:50062";
}

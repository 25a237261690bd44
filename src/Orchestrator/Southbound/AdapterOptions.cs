namespace Provisioning.Orchestrator.Southbound;

/// <summary>Where the orchestrator reaches its adapters over gRPC (configuration section "Orchestrator:Adapters").</summary>
public sealed class AdapterOptions
{
    public const string Section = "Orchestrator:Adapters";

    public string Cwmp { get; set; } = "http://127.0.0.1:50061";
    public string Usp { get; set; } = "http://127.0.0.1:50062";
    /// <summary>
    /// Further adapter instances ("Orchestrator:Adapters:Instances:0", ...) a contact may name as the one holding a
    /// device. Only these and the two above are ever routed to (and given the internal key).
    /// </summary>
    public List<string> Instances { get; set; } = [];
}

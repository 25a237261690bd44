namespace Provisioning.Orchestrator.Storage;

/// <summary>Where events and documents live (configuration section "Store").</summary>
public sealed class ProvisioningStoreOptions
{
    public const string Section = "Store";

    /// <summary>Solo: this instance runs the async projections. Elected: the instance holding an advisory lock does. Disabled: never here.</summary>
    public string ProjectionDaemon { get; set; } = "Solo";

    /// <summary>The private cluster started when no connection string is configured.</summary>
    public string EmbeddedDataDirectory { get; set; } = ".data/postgres";
    public int EmbeddedPort { get; set; } = 55432;
}

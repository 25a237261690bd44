using JasperFx.Events.Daemon;

namespace Provisioning.Orchestrator.Storage;

/// <summary>Where events and documents live (configuration section "Store").</summary>
public sealed class ProvisioningStoreOptions
{
    public const string Section = "Store";

    /// <summary>
    /// Solo: this instance runs every async projection. Elected (Marten's HotCold): each async projection runs in the
    /// one instance holding its advisory lock, and another instance takes it over when that one stops. Disabled: never here.
    /// </summary>
    public string ProjectionDaemon { get; set; } = "Solo";

    /// <summary>Marten's daemon mode for <see cref="ProjectionDaemon"/>; a misspelt setting stops the start rather than silently running no projections.</summary>
    public DaemonMode DaemonMode => ProjectionDaemon.ToLowerInvariant() switch
    {
        "solo" => DaemonMode.Solo,
        "elected" or "hotcold" => DaemonMode.HotCold,
        "disabled" => DaemonMode.Disabled,
        _ => throw new InvalidOperationException($"Store:ProjectionDaemon is '{ProjectionDaemon}'; use Solo, Elected (or HotCold) or Disabled"),
    };
}

using System.ComponentModel.DataAnnotations;

namespace Provisioning.Orchestrator.Devices;

/// <summary>What happens at a device's door outside workflows (configuration section "Devices"), validated at start (SettingsSection).</summary>
public sealed class DeviceOptions
{
    public const string Section = "Devices";

    /// <summary>
    /// How long a CWMP device that was pushed a new credential may still authenticate with the one it had before
    /// (a CPE applies ManagementServer.Password only after a reboot, or silently keeps the old one). Past it the
    /// previous credential is no longer offered and the device's credential is "not_adopted", on record.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan CredentialAdoptionWindow { get; set; } = TimeSpan.FromDays(3);

    /// <summary>What a provisioned device that comes back with factory settings gets: re-provisioned, or refused on record.</summary>
    [EnumDataType(typeof(FactoryResetPolicy))]
    public FactoryResetPolicy FactoryReset { get; set; } = FactoryResetPolicy.Reprovision;

    /// <summary>Equal contact records (device, reason) within one window are stored once and counted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ContactRecordWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Unregistered devices stored per window (each once); beyond it their contacts are only counted.</summary>
    [Range(0, int.MaxValue)]
    public int UnregisteredPerWindow { get; set; } = 500;

    /// <summary>Device/reason pairs remembered for deduplication; beyond it new ones are only counted.</summary>
    [Range(1, int.MaxValue)]
    public int ContactMemoryCapacity { get; set; } = 100_000;

    /// <summary>How often the counts of deduplicated contacts are written to the store.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ContactCountFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>"Devices:FactoryReset": reprovision (default) or refuse.</summary>
public enum FactoryResetPolicy
{
    Reprovision,
    Refuse,
}

namespace Provisioning.Orchestrator.Devices;

/// <summary>What happens at a device's door outside workflows (configuration section "Devices"), validated at start.</summary>
public sealed class DeviceOptions
{
    public const string Section = "Devices";

    /// <summary>
    /// How long a CWMP device that was pushed a new credential may still authenticate with the one it had before
    /// (a CPE applies ManagementServer.Password only after a reboot, or silently keeps the old one). Past it the
    /// previous credential is no longer offered and the device's credential is "not_adopted", on record.
    /// </summary>
    public TimeSpan CredentialAdoptionWindow { get; set; } = TimeSpan.FromDays(3);

    /// <summary>What a provisioned device that comes back with factory settings gets: re-provisioned, or refused on record.</summary>
    public FactoryResetPolicy FactoryReset { get; set; } = FactoryResetPolicy.Reprovision;

    /// <summary>Equal contact records (device, reason) within one window are stored once and counted.</summary>
    public TimeSpan ContactRecordWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Unregistered devices stored per window (each once); beyond it their contacts are only counted.</summary>
    public int UnregisteredPerWindow { get; set; } = 500;

    /// <summary>Device/reason pairs remembered for deduplication; beyond it new ones are only counted.</summary>
    public int ContactMemoryCapacity { get; set; } = 100_000;

    /// <summary>How often the counts of deduplicated contacts are written to the store.</summary>
    public TimeSpan ContactCountFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The problems of these settings, empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (CredentialAdoptionWindow <= TimeSpan.Zero) yield return $"{Section}:CredentialAdoptionWindow must be positive";
        if (!Enum.IsDefined(FactoryReset)) yield return $"{Section}:FactoryReset must be reprovision or refuse";
        if (ContactRecordWindow < TimeSpan.FromSeconds(1)) yield return $"{Section}:ContactRecordWindow must be at least 1 s";
        if (UnregisteredPerWindow < 0) yield return $"{Section}:UnregisteredPerWindow must not be negative";
        if (ContactMemoryCapacity < 1) yield return $"{Section}:ContactMemoryCapacity must be at least 1";
        if (ContactCountFlushInterval <= TimeSpan.Zero) yield return $"{Section}:ContactCountFlushInterval must be positive";
    }
}

/// <summary>"Devices:FactoryReset": reprovision (default) or refuse.</summary>
public enum FactoryResetPolicy
{
    Reprovision,
    Refuse,
}

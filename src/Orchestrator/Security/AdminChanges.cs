namespace Provisioning.Orchestrator.Security;

/// <summary>
/// Who changed what, kept as events: each admin call that changed something is its own stream of one event (no
/// contention between admins, no workflow stream touched). They are not workflow events: the provisioning feed and the
/// projections pass them by. Names only; passwords, keys and their values never (an ad-hoc write's values redacted).
/// </summary>
public sealed record InventoryChanged(string Change, IReadOnlyList<string> SerialNumbers, bool CredentialsSet, string ChangedBy);

public sealed record ServicePlansChanged(string Change, IReadOnlyList<string> PlanNames, string ChangedBy);

public sealed record ModelProfilesChanged(string Change, IReadOnlyList<string> ProfileNames, string ChangedBy);

/// <summary>An admin's ad-hoc write to a device (SetDeviceParameters): the workflow that writes it, and what, secrets redacted.</summary>
public sealed record DeviceParametersSet(string SerialNumber, Guid WorkflowId, IReadOnlyList<Workflows.Events.PushedParameter> Parameters, string ChangedBy);

/// <summary>
/// An operator's firmware upgrade (UpgradeFirmware): the workflow that installs it and the image asked for (empty: the
/// model profile's target). The URL holds no credentials (refused in it); the image server's password is never here.
/// </summary>
public sealed record FirmwareUpgradeOrdered(string SerialNumber, Guid WorkflowId, string Version, string Url, string ChangedBy);

public sealed record ProjectionsRebuilt(IReadOnlyList<string> Projections, long EventsProcessed, string ChangedBy);

public static class AdminChange
{
    public const string Upserted = "upserted";
    public const string Deleted = "deleted";
}

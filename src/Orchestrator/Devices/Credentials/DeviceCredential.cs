using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Where a CWMP device's credential stands in its life cycle (bootstrap → pending → adopted, or not_adopted), keyed by
/// serial number. Its own document, not part of <see cref="DeviceRecord"/>: the inventory rewrites that record whole.
/// The previous credential is kept only as its Digest HA1 (like the device's own), never in clear.
/// </summary>
public sealed record DeviceCredential
{
    public string Id { get; set; } = "";
    public CredentialState State { get; set; }
    /// <summary>What the device proved itself with at its last accepted contact (what a push then replaces).</summary>
    public ContactCredential LastContact { get; set; }
    public string PreviousUsername { get; set; } = "";
    /// <summary>"ha1:" + the previous credential's HA1 for the ACS realm.</summary>
    public string PreviousPassword { get; set; } = "";
    /// <summary>The device had the shared bootstrap credential before: that stays allowed for it instead.</summary>
    public bool PreviousIsSharedBootstrap { get; set; }
    /// <summary>The previous credential is the device's bootstrap secret: its username is shared, so it names no device.</summary>
    public bool PreviousIsBootstrapSecret { get; set; }
    public DateTimeOffset? PendingUntil { get; set; }

    public bool IsPending(DateTimeOffset now) => State == CredentialState.Pending && PendingUntil is { } until && now < until;
    public bool PendingExpired(DateTimeOffset now) => State == CredentialState.Pending && (PendingUntil is not { } until || now >= until);

    public void ForgetPrevious()
    {
        PreviousUsername = "";
        PreviousPassword = "";
        PreviousIsSharedBootstrap = false;
        PreviousIsBootstrapSecret = false;
        PendingUntil = null;
    }
}

public enum CredentialState
{
    Bootstrap,
    Pending,
    Adopted,
    NotAdopted,
}

public static class CredentialStates
{
    public static string Name(this CredentialState state) => state switch
    {
        CredentialState.Bootstrap => "bootstrap",
        CredentialState.Pending => "pending",
        CredentialState.Adopted => "adopted",
        CredentialState.NotAdopted => "not_adopted",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

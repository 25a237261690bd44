using Marten;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Telemetry;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// The CWMP credential life cycle. A push of the device's own credential (Workflow:PushDeviceCredentials) to a device
/// that authenticated with something else makes the credential <i>pending</i>: what it used before stays offered to the
/// ACS (LookupDevice previous_*, or shared_bootstrap_allowed) for "Devices:CredentialAdoptionWindow". Its first contact
/// with the new one makes it <i>adopted</i>; past the window it is <i>not_adopted</i> and the previous one is no longer
/// offered. Every step is an event in the device's stream and a cpe.device.credential sample, so no device is locked
/// out without a record saying so.
/// </summary>
public sealed class CredentialLifecycle(IDocumentStore store, ContactRecorder recorder, IOptions<DeviceOptions> options, TimeProvider time)
{
    public const string SharedBootstrap = "shared_bootstrap";
    public const string BootstrapSecret = "bootstrap_secret";
    public const string PreviousOwn = "previous";

    /// <summary>The state as the API names it; empty for USP agents (the life cycle is CWMP's).</summary>
    public static string StateOf(DeviceRecord record, DeviceCredential? credential) =>
        record.Protocol != DeviceProtocol.Cwmp ? ""
        : credential is not null ? credential.State.Name()
        : record.Provisioned ? CredentialState.Adopted.Name() : CredentialState.Bootstrap.Name();

    /// <summary>An accepted contact: adoption, a contact still on the old credential, or the window's end.</summary>
    public async Task ContactAsync(DeviceRecord record, DeviceCredential? credential, ContactCredential used, string remoteAddress, CancellationToken cancellationToken)
    {
        if (record.Protocol != DeviceProtocol.Cwmp || used is ContactCredential.Unspecified or ContactCredential.Certificate or ContactCredential.AgentSecret) return;
        var now = time.GetUtcNow();
        var changed = false;
        var facts = new List<object>();
        if (credential is null)
        {
            credential = new DeviceCredential { Id = record.Id, State = StateOf(record, null) == "adopted" || used == ContactCredential.Device ? CredentialState.Adopted : CredentialState.Bootstrap };
            changed = true;
        }
        if (credential.PendingExpired(now)) facts.Add(Expire(record, credential, remoteAddress));

        ContactNote? note = null;
        switch (used)
        {
            case ContactCredential.Device when credential.State != CredentialState.Adopted:
                credential.State = CredentialState.Adopted;
                credential.ForgetPrevious();
                facts.Add(new CredentialAdopted(record.Id, record.Protocol, remoteAddress));
                Count(CredentialState.Adopted, record.Protocol);
                break;
            case ContactCredential.Previous or ContactCredential.Bootstrap or ContactCredential.BootstrapSecret
                when credential.State is CredentialState.Pending or CredentialState.NotAdopted:
                note = new ContactNote(record.Id, record.Id, record.EndpointId, record.Protocol, Registered: true,
                    ContactKinds.CredentialNotAdopted, "credential_not_adopted",
                    $"authenticated with its {Describe(used)} credential, not the one it was given", remoteAddress);
                break;
        }
        if (credential.LastContact != used)
        {
            credential.LastContact = used;
            changed = true;
        }
        if (changed || facts.Count > 0) await SaveAsync(credential, facts, cancellationToken);
        if (note is not null) await recorder.RecordAsync(note, cancellationToken);
    }

    /// <summary>A workflow wrote the device's own credential to it (SetParameterValues accepted).</summary>
    public async Task PushedAsync(DeviceRecord record, Guid workflowId, string traceId, CancellationToken cancellationToken)
    {
        if (record.Protocol != DeviceProtocol.Cwmp) return;
        await using var query = store.QuerySession();
        var credential = await query.LoadAsync<DeviceCredential>(record.Id, cancellationToken);
        if (credential is null) return; // no contact proved anything yet (authentication off): nothing to be pending on
        var now = time.GetUtcNow();
        string previous;
        switch (credential.LastContact)
        {
            case ContactCredential.Previous when credential.PreviousPassword.Length > 0 || credential.PreviousIsSharedBootstrap:
                previous = credential.PreviousIsSharedBootstrap ? SharedBootstrap : PreviousOwn;
                break;
            case ContactCredential.BootstrapSecret when record.BootstrapPassword.Length > 0:
                credential.ForgetPrevious();
                credential.PreviousUsername = record.BootstrapUsername;
                credential.PreviousPassword = record.BootstrapPassword;
                credential.PreviousIsBootstrapSecret = true;
                previous = BootstrapSecret;
                break;
            case ContactCredential.Bootstrap:
                credential.ForgetPrevious();
                credential.PreviousIsSharedBootstrap = true;
                previous = SharedBootstrap;
                break;
            default:
                return; // it used its own credential: nothing changes for it
        }
        credential.State = CredentialState.Pending;
        credential.PendingUntil = now + options.Value.CredentialAdoptionWindow;
        Count(CredentialState.Pending, record.Protocol);
        await SaveAsync(credential, [new CredentialPending(record.Id, record.Protocol, previous, credential.PendingUntil.Value, workflowId, traceId)], cancellationToken);
    }

    /// <summary>
    /// The inventory changed a provisioned device's CWMP password: the device still has the old one until a push, so
    /// the old one becomes the previous (pending). Queued in the inventory's own session (one transaction).
    /// </summary>
    public void PasswordChanged(IDocumentSession session, DeviceRecord before, DeviceRecord after, DeviceCredential? credential)
    {
        if (before.Protocol != DeviceProtocol.Cwmp || !before.Provisioned || before.CwmpPassword.Length == 0) return;
        if (before.CwmpPassword == after.CwmpPassword && before.CwmpUsername == after.CwmpUsername) return;
        credential ??= new DeviceCredential { Id = before.Id };
        credential.ForgetPrevious();
        credential.State = CredentialState.Pending;
        credential.PreviousUsername = before.CwmpUsername;
        credential.PreviousPassword = before.CwmpPassword;
        credential.PendingUntil = time.GetUtcNow() + options.Value.CredentialAdoptionWindow;
        session.Store(credential);
        session.Events.Append(DeviceStream.For(before.Id), new CredentialPending(before.Id, before.Protocol, PreviousOwn, credential.PendingUntil.Value, null, ""));
        Count(CredentialState.Pending, before.Protocol);
    }

    /// <summary>What LookupDevice offers besides the device's own credential; ends a window that has passed (on record).</summary>
    public async Task<DeviceCredential?> CurrentAsync(DeviceRecord record, DeviceCredential? credential, CancellationToken cancellationToken)
    {
        if (credential is null || !credential.PendingExpired(time.GetUtcNow())) return credential;
        var fact = Expire(record, credential, "");
        await SaveAsync(credential, [fact], cancellationToken);
        return credential;
    }

    public bool OffersPrevious(DeviceCredential? credential) =>
        credential is not null && credential.IsPending(time.GetUtcNow()) && credential.PreviousPassword.Length > 0;

    /// <summary>
    /// Whether what the device may authenticate with changes only by a write (which NOTIFYs): not while a pending
    /// credential's window runs, at whose end the previous credential stops being offered without any write.
    /// </summary>
    public bool Steady(DeviceCredential? credential) => credential is null || !credential.IsPending(time.GetUtcNow());

    public bool OffersSharedBootstrap(DeviceCredential? credential) =>
        credential is not null && credential.IsPending(time.GetUtcNow()) && credential.PreviousIsSharedBootstrap;

    private static CredentialNotAdopted Expire(DeviceRecord record, DeviceCredential credential, string remoteAddress)
    {
        var detail = $"the device did not authenticate with its new credential before {credential.PendingUntil:u}: its previous credential is no longer accepted";
        credential.State = CredentialState.NotAdopted;
        credential.ForgetPrevious();
        Count(CredentialState.NotAdopted, record.Protocol);
        return new CredentialNotAdopted(record.Id, record.Protocol, WindowEnded: true, detail, remoteAddress, default);
    }

    private Task SaveAsync(DeviceCredential credential, IReadOnlyList<object> facts, CancellationToken cancellationToken) =>
        DeviceStreamConflicts.RetryAsync(async () =>
        {
            await using var session = store.LightweightSession();
            session.Store(credential);
            if (facts.Count > 0) session.Events.Append(DeviceStream.For(credential.Id), facts.ToArray());
            await session.SaveChangesAsync(cancellationToken);
        });

    private static void Count(CredentialState state, DeviceProtocol protocol) =>
        OrchestratorTelemetry.DeviceCredential.Add(1, new("state", state.Name()), new("protocol", ContactRecorder.ProtocolName(protocol)));

    private static string Describe(ContactCredential used) => used switch
    {
        ContactCredential.Previous => "previous",
        ContactCredential.Bootstrap => "shared bootstrap",
        ContactCredential.BootstrapSecret => "bootstrap secret",
        _ => "other",
    };
}

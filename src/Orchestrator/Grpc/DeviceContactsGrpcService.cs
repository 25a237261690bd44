using Grpc.Core;
using Marten;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>
/// What adapters tell the orchestrator: device contacts (which may start zero-touch provisioning) and inventory
/// lookups for device authentication. Passwords leave only as a Digest HA1 or as the Connection Request secret.
/// </summary>
public sealed partial class DeviceContactsGrpcService(
    IDocumentStore store,
    DeviceContactReader reader,
    RouteSeenAtBatch seenAt,
    WorkflowStarter starter,
    Security.DeviceSecrets secrets,
    ContactRecorder recorder,
    CredentialLifecycle credentials,
    AdapterRegistry adapters,
    DeviceContactCache deviceCache,
    IHostApplicationLifetime lifetime,
    IOptions<DeviceOptions> options,
    ILogger<DeviceContactsGrpcService> logger) : DeviceContacts.DeviceContactsBase
{
    public override async Task<DeviceContactDecision> ReportDeviceContact(DeviceContactReport request, ServerCallContext context)
    {
        var device = request.Identity?.Device;
        var v = new RequestValidation();
        if (device is null) v.Fail("identity.device", "is required");
        else v.Check(!string.IsNullOrWhiteSpace(device.SerialNumber) || !string.IsNullOrWhiteSpace(device.EndpointId),
                "identity.device", "needs a serial number or an endpoint id")
            .Limit("identity.device.serial_number", device.SerialNumber, 64)
            .Limit("identity.device.oui", device.Oui, 64)
            .Limit("identity.device.product_class", device.ProductClass, 64)
            .Limit("identity.device.endpoint_id", device.EndpointId, 128)
            .Limit("identity.endpoint", request.Identity!.Endpoint, 1024);
        foreach (var code in request.EventCodes) v.Limit("event_codes", code, 64);
        v.Limit("boot_cause", request.BootCause, 64).Limit("remote_address", request.RemoteAddress, 256)
            .Limit("adapter_address", request.AdapterAddress, 1024);
        v.ThrowIfInvalid();

        var (record, claim, route, credential) = await reader.ContactAsync(device!, context.CancellationToken);
        var codes = request.EventCodes.ToList();
        var serial = record?.Id ?? device!.SerialNumber;
        var decision = new DeviceContactDecision { Registered = record is not null };
        var address = request.AdapterAddress;
        if (!string.IsNullOrWhiteSpace(address) && !adapters.IsRegistered(address))
        {
            // Believed only for a registered instance: the device's calls, and the internal key, go where the route says.
            Security.SecurityLog.UnregisteredAdapterAddress(logger, DeviceStream.KeyOf(serial, device!.EndpointId), address);
            address = "";
        }

        if (record is null)
        {
            // An unregistered device gets no workflow: its zero-touch contact is on record once per window (bounded).
            if (ZeroTouch.FirstContact(device!.Protocol, codes))
            {
                await recorder.RecordAsync(new ContactNote(DeviceStream.KeyOf(device.SerialNumber, device.EndpointId), device.SerialNumber.Trim(),
                    device.EndpointId, device.Protocol, Registered: false, ContactKinds.Refused, RefusalReasons.UnknownDevice,
                    "not in the inventory", request.RemoteAddress, "", codes), context.CancellationToken);
            }
            return decision;
        }

        var newRoute = !string.IsNullOrWhiteSpace(address)
            ? ContactRoute.Of(record, route, address, record.Protocol == DeviceProtocol.Cwmp ? request.Identity!.Endpoint.Trim() : "", DateTimeOffset.UtcNow)
            : ContactRoute.None;
        await credentials.ContactAsync(record, credential, request.Credential, request.RemoteAddress, context.CancellationToken);

        if (claim is not null)
        {
            // A workflow is waiting for this device (e.g. after a Connection Request): keep the session for it.
            await StoreRouteAsync(newRoute, context.CancellationToken);
            decision.Action = ContactAction.Provision;
            decision.WorkflowId = claim.WorkflowId.ToString();
            return decision;
        }

        var trigger = WorkflowTrigger.ZeroTouch;
        Func<Guid, string, IDeviceContactEvent>? fact = null;
        if (FactoryReset.CauseOf(request, record) is { } cause)
        {
            if (options.Value.FactoryReset == FactoryResetPolicy.Refuse)
            {
                OrchestratorTelemetry.FactoryResets.Add(1, new("protocol", ContactRecorder.ProtocolName(record.Protocol)), new("action", "refuse"));
                await recorder.RecordAsync(new ContactNote(record.Id, record.Id, record.EndpointId, record.Protocol, Registered: true,
                    ContactKinds.Refused, RefusalReasons.Policy, $"factory reset ({cause}) of a provisioned device: Devices:FactoryReset=refuse",
                    request.RemoteAddress, "", codes), context.CancellationToken);
                await StoreRouteAsync(newRoute, context.CancellationToken);
                decision.Action = ContactAction.Refuse;
                return decision;
            }
            trigger = WorkflowTrigger.FactoryReset;
            fact = (workflowId, traceId) => new FactoryResetDetected(record.Id, record.Protocol, cause, workflowId, traceId, request.RemoteAddress);
            OrchestratorTelemetry.FactoryResets.Add(1, new("protocol", ContactRecorder.ProtocolName(record.Protocol)), new("action", "reprovision"));
        }
        else if (!ZeroTouch.Starts(device!.Protocol, codes, record) || string.IsNullOrWhiteSpace(serial))
        {
            await StoreRouteAsync(newRoute, context.CancellationToken);
            return decision;
        }

        var descriptor = new DeviceDescriptor(serial, device!.Oui.ToUpperInvariant(), device.ProductClass,
            device.Protocol == DeviceProtocol.Unspecified ? record.Protocol : device.Protocol,
            string.IsNullOrEmpty(device.EndpointId) ? record.EndpointId : device.EndpointId);
        // The route commits with the workflow's start: one transaction for both.
        var outcome = await starter.StartAsync(
            new StartRequest(descriptor, null, trigger, EventCodes: codes, ClaimSeenFree: true, Route: newRoute.Changed ?? newRoute.SeenOnly, DeviceFact: fact),
            context.CancellationToken);
        if (outcome.Existing || outcome.Replayed) await StoreRouteAsync(newRoute, context.CancellationToken);
        decision.WorkflowId = outcome.Workflow.Id.ToString();
        decision.Action = ContactAction.Provision;
        return decision;
    }

    public override async Task<RefusedContactAck> ReportRefusedContact(RefusedContactReport request, ServerCallContext context)
    {
        var device = request.Device;
        var v = new RequestValidation();
        if (device is null) v.Fail("device", "is required");
        else v.Check(!string.IsNullOrWhiteSpace(device.SerialNumber) || !string.IsNullOrWhiteSpace(device.EndpointId),
                "device", "needs a serial number or an endpoint id")
            .Limit("device.serial_number", device.SerialNumber, 64)
            .Limit("device.endpoint_id", device.EndpointId, 128);
        v.Check(System.Enum.IsDefined(request.Reason) && request.Reason != RefusalReason.Unspecified, "reason", "must be a RefusalReason")
            .Limit("detail", request.Detail, 512)
            .Limit("remote_address", request.RemoteAddress, 256)
            .Limit("username", request.Username, 256);
        foreach (var code in request.EventCodes) v.Limit("event_codes", code, 64);
        v.ThrowIfInvalid();

        var record = await reader.FindAsync(device!, username: null, context.CancellationToken);
        var protocol = record?.Protocol ?? device!.Protocol;
        var note = new ContactNote(
            record?.Id ?? DeviceStream.KeyOf(device!.SerialNumber, device.EndpointId),
            record?.Id ?? device!.SerialNumber.Trim(),
            record?.EndpointId ?? device!.EndpointId,
            protocol, record is not null, ContactKinds.Refused, RefusalReasons.Name(request.Reason),
            request.Detail, request.RemoteAddress, request.Username, request.EventCodes.Take(16).ToList());
        return new RefusedContactAck { Recorded = await recorder.RecordAsync(note, context.CancellationToken) };
    }

    public override async Task<LookupDeviceResponse> LookupDevice(LookupDeviceRequest request, ServerCallContext context)
    {
        new RequestValidation()
            .Limit("username", request.Username, 256)
            .Limit("realm", request.Realm, 256)
            .Check(request.Device is not null || !string.IsNullOrEmpty(request.Username), "device", "or username is required")
            .ThrowIfInvalid();
        var (record, route, stored) = await reader.LookupAsync(request, context.CancellationToken);
        // Unregistered: the shared bootstrap may open the session, so the contact is on record (it never gets a workflow).
        if (record is null) return new LookupDeviceResponse { Registered = false, SharedBootstrapAllowed = true };
        var credential = record.Protocol == DeviceProtocol.Cwmp ? await credentials.CurrentAsync(record, stored, context.CancellationToken) : null;
        var offersPrevious = credentials.OffersPrevious(credential);
        return new LookupDeviceResponse
        {
            Registered = true,
            Device = new DeviceRef { SerialNumber = record.Id, Oui = record.Oui, ProductClass = record.ProductClass, Protocol = record.Protocol, EndpointId = record.EndpointId },
            CwmpUsername = record.CwmpUsername,
            CwmpPasswordHa1 = secrets.Ha1(record, request.Realm),
            ConnectionRequestUsername = record.ConnectionRequestUsername,
            ConnectionRequestPassword = secrets.ConnectionRequestPassword(record),
            Provisioned = record.Provisioned,
            ConnectionRequestUrl = route?.ConnectionRequestUrl ?? "",
            PreviousCwmpUsername = offersPrevious ? credential!.PreviousUsername : "",
            PreviousCwmpPasswordHa1 = offersPrevious ? secrets.Ha1(credential!.PreviousUsername, credential.PreviousPassword, request.Realm) : "",
            BootstrapUsername = record.BootstrapPassword.Length > 0 ? record.BootstrapUsername : "",
            BootstrapPasswordHa1 = secrets.Ha1(record.BootstrapUsername, record.BootstrapPassword, request.Realm),
            SharedBootstrapAllowed = SharedBootstrapAllowed(record, credential),
            AgentSecretSha256 = record.AgentSecretSha256,
            AgentSecretSalt = record.AgentSecretSalt,
            Steady = credentials.Steady(credential),
        };
    }

    /// <summary>
    /// Whether the shared bootstrap credential may open a session for this device: while it is pending from it (so a
    /// CPE that kept it is not locked out); never for one with a bootstrap secret of its own (only that opens its
    /// bootstrap session); before its first provisioning; after it only when the factory-reset policy re-provisions.
    /// </summary>
    private bool SharedBootstrapAllowed(DeviceRecord record, DeviceCredential? credential)
    {
        if (credentials.OffersSharedBootstrap(credential)) return true;
        if (record.BootstrapPassword.Length > 0) return false;
        return !record.Provisioned || options.Value.FactoryReset == FactoryResetPolicy.Reprovision;
    }

    /// <summary>
    /// A changed route is written at once (the device's calls go where it says); one only seen again goes to the
    /// coalesced seen-at batch.
    /// </summary>
    private async Task StoreRouteAsync(ContactRoute route, CancellationToken cancellationToken)
    {
        if (route.SeenOnly is { } seen) seenAt.Seen(seen);
        if (route.Changed is not { } changed) return;
        await using var session = store.LightweightSession();
        session.Store(changed);
        await session.SaveChangesAsync(cancellationToken);
    }
}

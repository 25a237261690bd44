using Grpc.Core;
using Marten;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>
/// What adapters tell the orchestrator: device contacts (which may start zero-touch provisioning) and inventory
/// lookups for device authentication. Passwords leave only as a Digest HA1 or as the Connection Request secret.
/// </summary>
public sealed class DeviceContactsGrpcService(IDocumentStore store, WorkflowStarter starter, Security.DeviceSecrets secrets) : DeviceContacts.DeviceContactsBase
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
        v.ThrowIfInvalid();

        var (record, claim, route) = await ContactStateAsync(device!, context.CancellationToken);
        var codes = request.EventCodes.ToList();
        var serial = record?.Id ?? device!.SerialNumber;
        var decision = new DeviceContactDecision { Registered = record is not null };
        var newRoute = record is not null && !string.IsNullOrWhiteSpace(request.AdapterAddress)
            ? RouteChange(record, route, request.AdapterAddress, record.Protocol == DeviceProtocol.Cwmp ? request.Identity!.Endpoint.Trim() : "")
            : null;

        if (claim is not null)
        {
            // A workflow is waiting for this device (e.g. after a Connection Request): keep the session for it.
            await StoreRouteAsync(newRoute, context.CancellationToken);
            decision.Action = ContactAction.Provision;
            decision.WorkflowId = claim.WorkflowId.ToString();
            return decision;
        }
        if (!ZeroTouch.Starts(device!.Protocol, codes, record) || string.IsNullOrWhiteSpace(serial))
        {
            await StoreRouteAsync(newRoute, context.CancellationToken);
            return decision;
        }

        var descriptor = new DeviceDescriptor(serial, device.Oui.ToUpperInvariant(), device.ProductClass,
            device.Protocol == DeviceProtocol.Unspecified ? record?.Protocol ?? DeviceProtocol.Unspecified : device.Protocol,
            string.IsNullOrEmpty(device.EndpointId) ? record?.EndpointId ?? "" : device.EndpointId);
        // The route commits with the workflow's start: one transaction for both.
        var outcome = await starter.StartAsync(
            new StartRequest(descriptor, null, WorkflowTrigger.ZeroTouch, EventCodes: codes, ClaimSeenFree: true, Route: newRoute),
            context.CancellationToken);
        if (outcome.Existing || outcome.Replayed) await StoreRouteAsync(newRoute, context.CancellationToken);
        decision.WorkflowId = outcome.Workflow.Id.ToString();
        // An unregistered device gets a workflow (so the attempt is on record, ending unknown_device) but no held session.
        decision.Action = record is null ? ContactAction.None : ContactAction.Provision;
        return decision;
    }

    /// <summary>
    /// The device, the workflow waiting for it and its recorded route: one round trip when the contact names a serial
    /// number the inventory knows (the storm's case); a USP agent known only by its endpoint id takes two.
    /// </summary>
    private async Task<(DeviceRecord? Record, ActiveWorkflowClaim? Claim, DeviceRoute? Route)> ContactStateAsync(DeviceRef device, CancellationToken cancellationToken)
    {
        var key = device.SerialNumber;
        if (string.IsNullOrWhiteSpace(key))
        {
            key = (await FindAsync(device, username: null, cancellationToken))?.Id;
            if (key is null) return (null, null, null);
        }
        await using var session = store.QuerySession();
        var batch = session.CreateBatchQuery();
        var recordLoad = batch.Load<DeviceRecord>(key);
        var claimLoad = batch.Load<ActiveWorkflowClaim>(key);
        var routeLoad = batch.Load<DeviceRoute>(key);
        await batch.Execute(cancellationToken);
        var record = await recordLoad;
        if (record is null && !string.IsNullOrWhiteSpace(device.EndpointId) && !string.IsNullOrWhiteSpace(device.SerialNumber))
        {
            // The agent reported a serial number the inventory does not use: it may be registered by endpoint id.
            var byEndpoint = await FindAsync(new DeviceRef { EndpointId = device.EndpointId }, username: null, cancellationToken);
            if (byEndpoint is not null) return await ContactStateAsync(new DeviceRef { SerialNumber = byEndpoint.Id }, cancellationToken);
        }
        return (record, await claimLoad, await routeLoad);
    }

    public override async Task<LookupDeviceResponse> LookupDevice(LookupDeviceRequest request, ServerCallContext context)
    {
        new RequestValidation()
            .Limit("username", request.Username, 256)
            .Limit("realm", request.Realm, 256)
            .Check(request.Device is not null || !string.IsNullOrEmpty(request.Username), "device", "or username is required")
            .ThrowIfInvalid();
        var record = await FindAsync(request.Device ?? new DeviceRef(), request.Username, context.CancellationToken);
        if (record is null) return new LookupDeviceResponse { Registered = false };
        // Only a lookup by device (before waking it) needs the ConnectionRequestURL; a login by username does not.
        var route = request.Device is { SerialNumber.Length: > 0 } && record.Protocol == DeviceProtocol.Cwmp
            ? await RouteAsync(record.Id, context.CancellationToken)
            : null;
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
        };
    }

    private async Task<DeviceRoute?> RouteAsync(string serial, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<DeviceRoute>(serial, cancellationToken);
    }

    /// <summary>The route to record for this contact, or null when the recorded one is still right and recent.</summary>
    private static DeviceRoute? RouteChange(DeviceRecord device, DeviceRoute? known, string address, string connectionRequestUrl)
    {
        var now = DateTimeOffset.UtcNow;
        if (string.IsNullOrEmpty(connectionRequestUrl)) connectionRequestUrl = known?.ConnectionRequestUrl ?? "";
        if (known is not null && known.AdapterAddress == address && known.ConnectionRequestUrl == connectionRequestUrl
            && now - known.SeenAt < TimeSpan.FromMinutes(1)) return null;
        return new DeviceRoute(device.Id, address, device.Protocol, now, connectionRequestUrl);
    }

    private async Task StoreRouteAsync(DeviceRoute? route, CancellationToken cancellationToken)
    {
        if (route is null) return;
        await using var session = store.LightweightSession();
        session.Store(route);
        await session.SaveChangesAsync(cancellationToken);
    }

    private async Task<DeviceRecord?> FindAsync(DeviceRef device, string? username, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        if (!string.IsNullOrWhiteSpace(device.SerialNumber) &&
            await session.LoadAsync<DeviceRecord>(device.SerialNumber, cancellationToken) is { } bySerial)
            return bySerial;
        if (!string.IsNullOrWhiteSpace(device.EndpointId))
        {
            var endpoint = device.EndpointId;
            var byEndpoint = await session.Query<DeviceRecord>().FirstOrDefaultAsync(d => d.EndpointId == endpoint, cancellationToken);
            if (byEndpoint is not null) return byEndpoint;
        }
        if (!string.IsNullOrWhiteSpace(username))
        {
            return await session.Query<DeviceRecord>().FirstOrDefaultAsync(d => d.CwmpUsername == username, cancellationToken);
        }
        return null;
    }
}

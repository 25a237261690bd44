using Grpc.Core;
using Marten;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Admin calls keeping the inventory and the service plans. Bulk calls validate everything before storing anything.</summary>
public sealed class InventoryGrpcService(IDocumentStore store, IServiceProvider services) : InventoryService.InventoryServiceBase
{
    public override async Task<Device> UpsertDevice(UpsertDeviceRequest request, ServerCallContext context)
    {
        var v = new RequestValidation();
        InventoryValidation.Validate(v, request.Device, "device.");
        v.ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var serial = request.Device.Identity.SerialNumber.Trim();
        var existing = await session.LoadAsync<DeviceRecord>(serial, context.CancellationToken);
        var credential = await session.LoadAsync<DeviceCredential>(serial, context.CancellationToken);
        var record = services.GetRequiredService<Security.DeviceSecrets>().Seal(request.Device.ToRecord(existing), request.Device);
        session.Store(record);
        if (existing is not null) services.GetRequiredService<CredentialLifecycle>().PasswordChanged(session, existing, record, credential);
        await session.SaveChangesAsync(context.CancellationToken);
        return record.ToWire(credential);
    }

    public override async Task<UpsertDevicesResponse> UpsertDevices(UpsertDevicesRequest request, ServerCallContext context)
    {
        var v = new RequestValidation();
        for (var i = 0; i < request.Devices.Count; i++) InventoryValidation.Validate(v, request.Devices[i], $"devices[{i}].");
        var duplicates = request.Devices.Where(d => d.Identity is not null).GroupBy(d => d.Identity.SerialNumber.Trim()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var serial in duplicates) v.Fail("devices", $"lists serial number '{serial}' more than once");
        v.ThrowIfInvalid();

        await using var session = store.LightweightSession();
        var serials = request.Devices.Select(d => d.Identity.SerialNumber.Trim()).ToArray();
        var existing = (await session.LoadManyAsync<DeviceRecord>(context.CancellationToken, serials)).ToDictionary(d => d.Id);
        var credentials = (await session.LoadManyAsync<DeviceCredential>(context.CancellationToken, existing.Keys.ToArray())).ToDictionary(c => c.Id);
        var secrets = services.GetRequiredService<Security.DeviceSecrets>();
        var lifecycle = services.GetRequiredService<CredentialLifecycle>();
        foreach (var device in request.Devices)
        {
            var before = existing.GetValueOrDefault(device.Identity.SerialNumber.Trim());
            var record = secrets.Seal(device.ToRecord(before), device);
            session.Store(record);
            if (before is not null) lifecycle.PasswordChanged(session, before, record, credentials.GetValueOrDefault(before.Id));
        }
        await session.SaveChangesAsync(context.CancellationToken);
        return new UpsertDevicesResponse { Stored = request.Devices.Count };
    }

    public override async Task<Device> GetDevice(GetDeviceRequest request, ServerCallContext context)
    {
        new RequestValidation().Require("serial_number", request.SerialNumber, 64).ThrowIfInvalid();
        await using var session = store.QuerySession();
        var record = await session.LoadAsync<DeviceRecord>(request.SerialNumber, context.CancellationToken)
            ?? throw RequestValidation.NotFound($"device {request.SerialNumber} not found");
        return record.ToWire(await session.LoadAsync<DeviceCredential>(request.SerialNumber, context.CancellationToken));
    }

    public override async Task<ListDevicesResponse> ListDevices(ListDevicesRequest request, ServerCallContext context)
    {
        var v = new RequestValidation().Check(request.PageSize is >= 0 and <= 1000, "page_size", "must be between 0 and 1000");
        var offset = 0;
        if (!string.IsNullOrEmpty(request.PageToken) && (!int.TryParse(request.PageToken, out offset) || offset < 0))
            v.Fail("page_token", "is not a token from a previous page");
        v.ThrowIfInvalid();
        var pageSize = request.PageSize == 0 ? 100 : request.PageSize;
        await using var session = store.QuerySession();
        var page = await session.Query<DeviceRecord>().OrderBy(d => d.Id).Skip(offset).Take(pageSize + 1).ToListAsync(context.CancellationToken);
        var shown = page.Take(pageSize).ToList();
        var credentials = shown.Count == 0 ? new Dictionary<string, DeviceCredential>()
            : (await session.LoadManyAsync<DeviceCredential>(context.CancellationToken, shown.Select(d => d.Id).ToArray())).ToDictionary(c => c.Id);
        var response = new ListDevicesResponse();
        response.Devices.AddRange(shown.Select(d => d.ToWire(credentials.GetValueOrDefault(d.Id))));
        if (page.Count > pageSize) response.NextPageToken = (offset + pageSize).ToString();
        return response;
    }

    public override async Task<DeleteDeviceResponse> DeleteDevice(DeleteDeviceRequest request, ServerCallContext context)
    {
        new RequestValidation().Require("serial_number", request.SerialNumber, 64).ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var existing = await session.LoadAsync<DeviceRecord>(request.SerialNumber, context.CancellationToken);
        if (existing is null) return new DeleteDeviceResponse { Deleted = false };
        session.Delete(existing);
        await session.SaveChangesAsync(context.CancellationToken);
        return new DeleteDeviceResponse { Deleted = true };
    }

    public override async Task<ServicePlan> UpsertServicePlan(UpsertServicePlanRequest request, ServerCallContext context)
    {
        var v = new RequestValidation();
        InventoryValidation.Validate(v, request.Plan, "plan.");
        v.ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var document = request.Plan.ToDocument();
        session.Store(services.GetRequiredService<PlanSecrets>().Seal(document));
        await session.SaveChangesAsync(context.CancellationToken);
        return document.ToWire();
    }

    public override async Task<UpsertServicePlansResponse> UpsertServicePlans(UpsertServicePlansRequest request, ServerCallContext context)
    {
        var v = new RequestValidation();
        for (var i = 0; i < request.Plans.Count; i++) InventoryValidation.Validate(v, request.Plans[i], $"plans[{i}].");
        foreach (var name in request.Plans.GroupBy(p => p.Name.Trim()).Where(g => g.Count() > 1).Select(g => g.Key))
            v.Fail("plans", $"lists plan '{name}' more than once");
        v.ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var secrets = services.GetRequiredService<PlanSecrets>();
        foreach (var plan in request.Plans) session.Store(secrets.Seal(plan.ToDocument()));
        await session.SaveChangesAsync(context.CancellationToken);
        return new UpsertServicePlansResponse { Stored = request.Plans.Count };
    }

    public override async Task<ServicePlan> GetServicePlan(GetServicePlanRequest request, ServerCallContext context)
    {
        new RequestValidation().Require("name", request.Name, 128).ThrowIfInvalid();
        await using var session = store.QuerySession();
        var plan = await session.LoadAsync<ServicePlanDocument>(request.Name, context.CancellationToken)
            ?? throw RequestValidation.NotFound($"service plan {request.Name} not found");
        return plan.ToWire();
    }

    public override async Task<ListServicePlansResponse> ListServicePlans(ListServicePlansRequest request, ServerCallContext context)
    {
        await using var session = store.QuerySession();
        var plans = await session.Query<ServicePlanDocument>().OrderBy(p => p.Id).ToListAsync(context.CancellationToken);
        var response = new ListServicePlansResponse();
        response.Plans.AddRange(plans.Select(p => p.ToWire()));
        return response;
    }

    public override async Task<DeleteServicePlanResponse> DeleteServicePlan(DeleteServicePlanRequest request, ServerCallContext context)
    {
        new RequestValidation().Require("name", request.Name, 128).ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var existing = await session.LoadAsync<ServicePlanDocument>(request.Name, context.CancellationToken);
        if (existing is null) return new DeleteServicePlanResponse { Deleted = false };
        session.Delete(existing);
        await session.SaveChangesAsync(context.CancellationToken);
        return new DeleteServicePlanResponse { Deleted = true };
    }

    public override async Task<ModelProfile> UpsertModelProfile(UpsertModelProfileRequest request, ServerCallContext context)
    {
        var v = new RequestValidation();
        ModelProfileMapping.Validate(v, request.Profile, "profile.");
        v.ThrowIfInvalid();
        var document = request.Profile.ToDocument();
        await using var session = store.LightweightSession();
        session.Store(services.GetRequiredService<PlanSecrets>().Seal(document));
        await session.SaveChangesAsync(context.CancellationToken);
        services.GetRequiredService<ModelProfileCatalog>().Invalidate();
        return document.ToWire();
    }

    public override async Task<UpsertModelProfilesResponse> UpsertModelProfiles(UpsertModelProfilesRequest request, ServerCallContext context)
    {
        var v = new RequestValidation();
        for (var i = 0; i < request.Profiles.Count; i++) ModelProfileMapping.Validate(v, request.Profiles[i], $"profiles[{i}].");
        foreach (var name in request.Profiles.GroupBy(p => p.Name.Trim()).Where(g => g.Count() > 1).Select(g => g.Key))
            v.Fail("profiles", $"lists model profile '{name}' more than once");
        v.ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var secrets = services.GetRequiredService<PlanSecrets>();
        foreach (var profile in request.Profiles) session.Store(secrets.Seal(profile.ToDocument()));
        await session.SaveChangesAsync(context.CancellationToken);
        services.GetRequiredService<ModelProfileCatalog>().Invalidate();
        return new UpsertModelProfilesResponse { Stored = request.Profiles.Count };
    }

    public override async Task<ListModelProfilesResponse> ListModelProfiles(ListModelProfilesRequest request, ServerCallContext context)
    {
        await using var session = store.QuerySession();
        var profiles = await session.Query<ModelProfileDocument>().OrderBy(p => p.Id).ToListAsync(context.CancellationToken);
        var response = new ListModelProfilesResponse();
        response.Profiles.AddRange(profiles.Select(p => p.ToWire()));
        return response;
    }

    public override async Task<DeleteModelProfileResponse> DeleteModelProfile(DeleteModelProfileRequest request, ServerCallContext context)
    {
        new RequestValidation().Require("name", request.Name, 128).ThrowIfInvalid();
        await using var session = store.LightweightSession();
        var existing = await session.LoadAsync<ModelProfileDocument>(request.Name, context.CancellationToken);
        if (existing is null) return new DeleteModelProfileResponse { Deleted = false };
        session.Delete(existing);
        await session.SaveChangesAsync(context.CancellationToken);
        services.GetRequiredService<ModelProfileCatalog>().Invalidate();
        return new DeleteModelProfileResponse { Deleted = true };
    }

    public override async Task<RebuildProjectionsResponse> RebuildProjections(RebuildProjectionsRequest request, ServerCallContext context)
    {
        var rebuilder = services.GetRequiredService<Reports.ProjectionRebuilder>();
        var (names, events) = await rebuilder.RebuildAllAsync(context.CancellationToken);
        var response = new RebuildProjectionsResponse { EventsProcessed = events };
        response.Projections.AddRange(names);
        return response;
    }
}

using Grpc.Core;
using Grpc.Core.Interceptors;
using Marten;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// Records every successful admin change of the InventoryService (and an ad-hoc device write or a firmware upgrade of the
/// ProvisioningService)
/// as an event naming the authenticated principal.
/// It runs after the change committed: a change whose audit append fails is reported to the caller as an error
/// (so the admin knows the record is missing) while the change itself stays.
/// </summary>
public sealed class AdminAuditInterceptor(IDocumentStore store, ILogger<AdminAuditInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        var who = context.GetHttpContext().User.Identity?.Name ?? "anonymous";
        object? change = (request, response) switch
        {
            (UpsertDeviceRequest r, _) => new InventoryChanged(AdminChange.Upserted, [r.Device.Identity.SerialNumber.Trim()], HasCredentials(r.Device), who),
            (UpsertDevicesRequest r, _) => new InventoryChanged(AdminChange.Upserted,
                r.Devices.Select(d => d.Identity.SerialNumber.Trim()).ToList(), r.Devices.Any(HasCredentials), who),
            (DeleteDeviceRequest r, DeleteDeviceResponse { Deleted: true }) => new InventoryChanged(AdminChange.Deleted, [r.SerialNumber], false, who),
            (UpsertServicePlanRequest r, _) => new ServicePlansChanged(AdminChange.Upserted, [r.Plan.Name.Trim()], who),
            (UpsertServicePlansRequest r, _) => new ServicePlansChanged(AdminChange.Upserted, r.Plans.Select(p => p.Name.Trim()).ToList(), who),
            (DeleteServicePlanRequest r, DeleteServicePlanResponse { Deleted: true }) => new ServicePlansChanged(AdminChange.Deleted, [r.Name], who),
            (UpsertModelProfileRequest r, _) => new ModelProfilesChanged(AdminChange.Upserted, [r.Profile.Name.Trim()], who),
            (UpsertModelProfilesRequest r, _) => new ModelProfilesChanged(AdminChange.Upserted, r.Profiles.Select(p => p.Name.Trim()).ToList(), who),
            (DeleteModelProfileRequest r, DeleteModelProfileResponse { Deleted: true }) => new ModelProfilesChanged(AdminChange.Deleted, [r.Name], who),
            (RebuildProjectionsRequest, RebuildProjectionsResponse p) => new ProjectionsRebuilt(p.Projections.ToList(), p.EventsProcessed, who),
            // A replayed request id wrote nothing new: its first call was audited.
            (SetDeviceParametersRequest, DeviceOperationResponse { Replayed: false } d) => Written(d.Workflow, who),
            (UpgradeFirmwareRequest r, DeviceOperationResponse { Replayed: false } d) =>
                new FirmwareUpgradeOrdered(d.Workflow.Device.SerialNumber, Guid.Parse(d.Workflow.WorkflowId), r.Version.Trim(), r.Url.Trim(), who),
            // The retry of a write writes again.
            (RetryWorkflowRequest, ProvisionDeviceResponse { Replayed: false, Existing: false, Workflow.Kind: WorkflowKind.SetParameters } r) => Written(r.Workflow, who),
            _ => null,
        };
        if (change is null) return response;

        await using var session = store.LightweightSession();
        session.Events.StartStream(Guid.CreateVersion7(), change);
        // The caller's cancellation must not lose the record of a change already made.
        await session.SaveChangesAsync(CancellationToken.None);
        SecurityLog.AdminChange(logger, change.GetType().Name, who, change switch
        {
            InventoryChanged i => i.SerialNumbers.Count,
            ServicePlansChanged p => p.PlanNames.Count,
            ModelProfilesChanged m => m.ProfileNames.Count,
            DeviceParametersSet s => s.Parameters.Count,
            _ => 1,
        });
        return response;
    }

    private static DeviceParametersSet Written(Workflow workflow, string who) => new(workflow.Device.SerialNumber, Guid.Parse(workflow.WorkflowId),
        workflow.Parameters.Select(p => new Workflows.Events.PushedParameter(p.Name, p.Value, p.Type.ToString(), p.Secret)).ToList(), who);

    private static bool HasCredentials(Device d) =>
        d.CwmpPassword.Length > 0 || d.ConnectionRequestPassword.Length > 0 || d.BootstrapPassword.Length > 0 || d.AgentSecret.Length > 0;
}

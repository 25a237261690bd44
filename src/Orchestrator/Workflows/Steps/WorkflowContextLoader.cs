using Marten;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.ServicePlans;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// Fills what a step needs from earlier steps, from the store, when a resumed run did not see them. It only loads:
/// what a missing piece means for the workflow is <see cref="WorkflowDecision"/>'s to say.
/// </summary>
public sealed class WorkflowContextLoader(
    IDocumentStore store,
    IServiceProfileSource profiles,
    Security.DeviceSecrets secrets,
    ModelProfileCatalog modelProfiles,
    PlanSecrets planSecrets,
    Microsoft.Extensions.Options.IOptions<WorkflowOptions> options)
{
    /// <summary>
    /// The firmware the device should run: the image the request named, else the firmware target of the model profile
    /// for what the device reported at authenticate (null: neither). The image server's password is opened here, for the
    /// download only.
    /// </summary>
    public async Task<FirmwareDownload?> FirmwareAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        var summary = context.Summary;
        if (summary.Firmware is { } asked) return new FirmwareDownload(asked, "", "");
        var model = await modelProfiles.ForAsync(summary.Manufacturer, summary.Model, summary.FirmwareVersion, cancellationToken);
        return model?.Firmware is { } firmware ? planSecrets.Open(firmware) : null;
    }

    public async Task<DeviceRecord?> DeviceAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        if (context.Device is not null) return context.Device;
        await using var session = store.QuerySession();
        context.Device = await session.LoadAsync<DeviceRecord>(context.Summary.SerialNumber, cancellationToken);
        return context.Device;
    }

    /// <summary>The inventory entry and the route together, in one round trip when neither is known yet.</summary>
    public async Task<(DeviceRecord? Device, string? Route)> DeviceAndRouteAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        if (context.Device is not null || context.RouteKnown)
            return (await DeviceAsync(context, cancellationToken), await RouteAsync(context, cancellationToken));
        await using var session = store.QuerySession();
        var batch = session.CreateBatchQuery();
        var device = batch.Load<DeviceRecord>(context.Summary.SerialNumber);
        var route = batch.Load<DeviceRoute>(context.Summary.SerialNumber);
        var numbering = batch.Query<WorkflowSummary>().Where(NumberedBy(context.Summary.SerialNumber)).OrderByDescending(s => s.CreatedAt).FirstOrDefault();
        await batch.Execute(cancellationToken);
        context.Device = await device;
        Remember(context, await route);
        context.KnownInstances = (await numbering)?.CreatedInstances ?? [];
        return (context.Device, context.Route);
    }

    /// <summary>How the device numbered objects that earlier pushes created (kept in each push's event and summary).</summary>
    public async Task<IReadOnlyList<CreatedInstance>> KnownInstancesAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        if (context.KnownInstances is not null) return context.KnownInstances;
        await using var session = store.QuerySession();
        var latest = await session.Query<WorkflowSummary>()
            .Where(NumberedBy(context.Summary.SerialNumber)).OrderByDescending(s => s.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        context.KnownInstances = latest?.CreatedInstances ?? [];
        return context.KnownInstances;
    }

    /// <summary>The device's workflows whose pushes recorded a numbering (the latest carries all of it, earlier ones included).</summary>
    private static System.Linq.Expressions.Expression<Func<WorkflowSummary, bool>> NumberedBy(string serialNumber) =>
        s => s.SerialNumber == serialNumber && s.CreatedInstances.Any();

    /// <summary>The device as the southbound should address it: the request's identity completed from the inventory.</summary>
    public static DeviceDescriptor Target(WorkflowContext context)
    {
        var asked = context.Summary.Device;
        var known = context.Device;
        if (known is null) return asked;
        return new DeviceDescriptor(
            asked.SerialNumber,
            string.IsNullOrEmpty(asked.Oui) ? known.Oui : asked.Oui,
            string.IsNullOrEmpty(asked.ProductClass) ? known.ProductClass : asked.ProductClass,
            asked.Protocol == DeviceProtocol.Unspecified ? known.Protocol : asked.Protocol,
            string.IsNullOrEmpty(asked.EndpointId) ? known.EndpointId : asked.EndpointId);
    }

    /// <summary>The adapter instance that last heard from the device, if recently.</summary>
    public async Task<string?> RouteAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        if (context.RouteKnown) return context.Route;
        await using var session = store.QuerySession();
        Remember(context, await session.LoadAsync<DeviceRoute>(context.Summary.SerialNumber, cancellationToken));
        return context.Route;
    }

    private static void Remember(WorkflowContext context, DeviceRoute? route)
    {
        context.Route = route is not null && route.IsFresh(DateTimeOffset.UtcNow) ? route.AdapterAddress : null;
        context.RouteKnown = true;
    }

    /// <summary>The device may have moved to another adapter instance (a CWMP session after a Connection Request).</summary>
    public static void ForgetRoute(WorkflowContext context) => context.RouteKnown = false;

    public static string PlanName(WorkflowContext context) =>
        !string.IsNullOrWhiteSpace(context.Summary.ServicePlanOverride)
            ? context.Summary.ServicePlanOverride!
            : context.Device?.ServicePlan ?? "";

    /// <summary>Renders the profile (again, after a resume: secrets are never stored, only re-rendered).</summary>
    public async Task<ProfileLookup> ProfileAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        if (context.Profile is not null) return ProfileLookup.Found(context.Profile);
        await DeviceAsync(context, cancellationToken);
        var planName = PlanName(context);
        if (string.IsNullOrWhiteSpace(planName)) return new(null, planName, ProfileMissing.NoPlanAssigned);
        var plan = await profiles.FindPlanAsync(planName, cancellationToken);
        if (plan is null) return new(null, planName, ProfileMissing.PlanNotFound);
        try
        {
            var protocol = Target(context).Protocol;
            var root = context.Summary.DataModelRoot ?? ProfileRenderer.Tr181Root;
            var profile = ProfileRenderer.Render(plan, root, protocol);
            if (protocol == DeviceProtocol.Cwmp && options.Value.PushDeviceCredentials && context.Device is { } device)
            {
                var credentials = ManagementCredentials.For(device, root, secrets.CwmpPassword(device), secrets.ConnectionRequestPassword(device));
                profile = profile with { Parameters = [.. profile.Parameters, .. credentials] };
            }
            // Where this device's model keeps what the plan says (vendor paths, objects it lacks), after the credentials.
            var summary = context.Summary;
            if (await modelProfiles.ForAsync(summary.Manufacturer, summary.Model, summary.FirmwareVersion, cancellationToken) is { } model)
                profile = profile with { Parameters = model.Apply(profile.Parameters), ModelProfile = model.Name };
            context.Profile = profile;
            return ProfileLookup.Found(profile);
        }
        catch (ArgumentException e)
        {
            return new(null, planName, ProfileMissing.NotRenderable, e.Message);
        }
    }
}

using Grpc.Core;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Campaigns;
using Domain = Provisioning.Orchestrator.Campaigns;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Staged rollout campaigns: operators read and watch them, admins start and steer them.</summary>
public sealed class CampaignGrpcService(
    CampaignStarter starter,
    CampaignControl control,
    CampaignRunner runner,
    IDocumentStore store,
    IAuthorizationService authorization,
    IOptions<CampaignOptions> options) : CampaignService.CampaignServiceBase
{
    public override async Task<Campaign> StartCampaign(StartCampaignRequest request, ServerCallContext context)
    {
        var who = await RequireAdminAsync(context, "StartCampaign");
        var definition = CampaignMapping.Definition(request, options.Value.MaxConcurrency);
        var campaign = await Refusals(() => starter.StartAsync(definition, who, context.CancellationToken));
        return await ToWireAsync(campaign, context.CancellationToken);
    }

    public override async Task<Campaign> GetCampaign(GetCampaignRequest request, ServerCallContext context) =>
        await ToWireAsync(await LoadAsync(request.CampaignId, context.CancellationToken), context.CancellationToken);

    public override async Task<ListCampaignsResponse> ListCampaigns(ListCampaignsRequest request, ServerCallContext context)
    {
        var limit = request.Limit is > 0 and <= 500 ? (int)request.Limit : 50;
        await using var session = store.QuerySession();
        IQueryable<CampaignSummary> query = session.Query<CampaignSummary>();
        if (request.State != Contracts.Northbound.CampaignState.Unspecified)
        {
            var state = StateOf(request.State);
            query = query.Where(c => c.State == state);
        }
        var campaigns = await query.OrderByDescending(c => c.CreatedAt).Take(limit).ToListAsync(context.CancellationToken);
        var tallies = await runner.TalliesAsync(campaigns, context.CancellationToken);
        var response = new ListCampaignsResponse();
        response.Campaigns.AddRange(campaigns.Select(c => CampaignMapping.ToWire(c, tallies[c.Id])));
        return response;
    }

    public override async Task WatchCampaign(GetCampaignRequest request, IServerStreamWriter<Campaign> responseStream, ServerCallContext context)
    {
        var id = IdOf(request.CampaignId);
        Campaign? sent = null;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var current = await ToWireAsync(await LoadAsync(id, context.CancellationToken), context.CancellationToken);
            // Only changes go out (updated_at moves with every event; progress with every device).
            var comparable = current.Clone();
            comparable.UpdatedAt = sent?.UpdatedAt;
            if (sent is null || !comparable.Equals(sent))
            {
                await responseStream.WriteAsync(current, context.CancellationToken);
                sent = current;
            }
            if (current.State is Contracts.Northbound.CampaignState.Completed or Contracts.Northbound.CampaignState.Aborted) return;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task<Campaign> PauseCampaign(CampaignChangeRequest request, ServerCallContext context)
    {
        var who = await RequireAdminAsync(context, "PauseCampaign");
        var changed = await Refusals(() => control.PauseAsync(IdOf(request.CampaignId), Reason(request.Reason), who, context.CancellationToken));
        return await ToWireAsync(changed, context.CancellationToken);
    }

    public override async Task<Campaign> ResumeCampaign(ResumeCampaignRequest request, ServerCallContext context)
    {
        var who = await RequireAdminAsync(context, "ResumeCampaign");
        var changed = await Refusals(() => control.ResumeAsync(IdOf(request.CampaignId), Reason(request.Reason), request.RetryFailed, who, context.CancellationToken));
        return await ToWireAsync(changed, context.CancellationToken);
    }

    public override async Task<Campaign> AbortCampaign(CampaignChangeRequest request, ServerCallContext context)
    {
        var who = await RequireAdminAsync(context, "AbortCampaign");
        var changed = await Refusals(() => control.AbortAsync(IdOf(request.CampaignId), Reason(request.Reason), who, context.CancellationToken));
        return await ToWireAsync(changed, context.CancellationToken);
    }

    private async Task<string> RequireAdminAsync(ServerCallContext context, string method)
    {
        var user = context.GetHttpContext().User;
        if (!(await authorization.AuthorizeAsync(user, Security.Policies.Admin)).Succeeded)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{method} needs the admin role"));
        return user.Identity?.Name ?? "anonymous";
    }

    private async Task<Campaign> ToWireAsync(CampaignSummary campaign, CancellationToken cancellationToken) =>
        CampaignMapping.ToWire(campaign, await runner.TallyAsync(campaign, cancellationToken));

    private Task<CampaignSummary> LoadAsync(string id, CancellationToken cancellationToken) => LoadAsync(IdOf(id), cancellationToken);

    private async Task<CampaignSummary> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<CampaignSummary>(id, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"campaign {id} does not exist"));
    }

    private static Guid IdOf(string id)
    {
        if (!Guid.TryParse(id, out var parsed))
            new RequestValidation().Fail("campaign_id", "must be a campaign id (a UUID)").ThrowIfInvalid();
        return parsed;
    }

    private static string? Reason(string reason)
    {
        new RequestValidation().Limit("reason", reason, 500).ThrowIfInvalid();
        return reason is { Length: > 0 } ? reason.Trim() : null;
    }

    private static Domain.CampaignState StateOf(Contracts.Northbound.CampaignState state) => state switch
    {
        Contracts.Northbound.CampaignState.Running => Domain.CampaignState.Running,
        Contracts.Northbound.CampaignState.Paused => Domain.CampaignState.Paused,
        Contracts.Northbound.CampaignState.Completed => Domain.CampaignState.Completed,
        Contracts.Northbound.CampaignState.Aborted => Domain.CampaignState.Aborted,
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "state: unknown campaign state")),
    };

    private static async Task<T> Refusals<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (CampaignRefusedException refused)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refused.Message));
        }
        catch (KeyNotFoundException missing)
        {
            throw new RpcException(new Status(StatusCode.NotFound, missing.Message));
        }
    }
}

using JasperFx;
using Marten;
using Provisioning.Orchestrator.Campaigns.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// Pause, resume and abort, each under the campaign lock (see <see cref="CampaignLock"/>) and at the version it read.
/// </summary>
public sealed class CampaignControl(IDocumentStore store, Npgsql.NpgsqlDataSource dataSource, CampaignRunner runner, TimeProvider clock, ILogger<CampaignControl> logger)
{
    public Task<CampaignSummary> PauseAsync(Guid id, string? reason, string by, CancellationToken cancellationToken) =>
        ChangeAsync(id, "paused", by, campaign => campaign.State == CampaignState.Running
            ? new CampaignPaused(campaign.CurrentWave, reason is { Length: > 0 } ? reason : "no reason given", by)
            : throw Refused(campaign, "paused", "only a running campaign pauses"), cancellationToken);

    public Task<CampaignSummary> ResumeAsync(Guid id, string? reason, bool retryFailed, string by, CancellationToken cancellationToken) =>
        ChangeAsync(id, "resumed", by, campaign => campaign.State == CampaignState.Paused
            ? new CampaignResumed(reason, retryFailed, retryFailed ? campaign.Round + 1 : campaign.Round, clock.GetUtcNow(), by)
            : throw Refused(campaign, "resumed", "only a paused campaign resumes"), cancellationToken);

    public Task<CampaignSummary> AbortAsync(Guid id, string? reason, string by, CancellationToken cancellationToken) =>
        ChangeAsync(id, "aborted", by, campaign => !campaign.IsEnded
            ? new CampaignAborted(reason, by)
            : throw Refused(campaign, "aborted", "it has ended already"), cancellationToken);

    private async Task<CampaignSummary> ChangeAsync(Guid id, string change, string by, Func<CampaignSummary, ICampaignEvent> decide, CancellationToken cancellationToken)
    {
        // Under the runner's lock: once the pause is committed, no tick that read the campaign running is still starting workflows.
        await using var held = await CampaignLock.WaitAsync(dataSource, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var campaign = await session.LoadAsync<CampaignSummary>(id, cancellationToken) ?? throw new KeyNotFoundException($"campaign {id} does not exist");
            session.Events.Append(id, campaign.Version + 1, decide(campaign));
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
                continue; // the runner moved it on meanwhile: decide on what it is now
            }
            CampaignLog.Changed(logger, id, change, by);
            runner.Wake();
            await using var read = store.QuerySession();
            return (await read.LoadAsync<CampaignSummary>(id, cancellationToken))!;
        }
    }

    private static CampaignRefusedException Refused(CampaignSummary campaign, string change, string why) =>
        new($"campaign {campaign.Id} is {campaign.State.ToString().ToLowerInvariant()} and cannot be {change}: {why}");
}

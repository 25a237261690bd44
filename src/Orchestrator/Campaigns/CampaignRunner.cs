using System.Diagnostics;
using JasperFx;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Provisioning.Orchestrator.Campaigns.Events;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// Advances every running campaign each tick: judges the stop rules, starts device workflows of the current wave up
/// to the campaign's concurrency, and closes the wave once all of its devices have ended. Everything it decides from
/// is in the store (the campaign's summary and its workflows), so a restarted orchestrator, or another instance,
/// goes on where this one stopped; an advisory lock lets one instance at a time do it.
/// </summary>
public sealed class CampaignRunner(IDocumentStore store, NpgsqlDataSource dataSource, IServiceProvider services, IOptions<CampaignOptions> options,
    ILogger<CampaignRunner> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Advance now rather than at the next tick (a campaign started or changed).</summary>
    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved late: the starter is built after the runner (it needs the workflow runner and its steps).
        var starter = services.GetRequiredService<WorkflowStarter>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await AdvanceAllAsync(starter, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or Marten.Exceptions.MartenCommandException)
            {
                CampaignLog.AdvanceFailed(logger, ex, Guid.Empty); // the store is away: the next tick tries again
            }
            try
            {
                await _wake.WaitAsync(options.Value.Tick, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task AdvanceAllAsync(WorkflowStarter starter, CancellationToken cancellationToken)
    {
        // Another instance advances them, or a pause, resume or abort is being decided: the next tick goes on.
        await using var held = await CampaignLock.TryTakeAsync(dataSource, cancellationToken);
        if (held is null) return;
        IReadOnlyList<CampaignSummary> running;
        await using (var query = store.QuerySession())
            running = await query.Query<CampaignSummary>().Where(c => c.State == CampaignState.Running).ToListAsync(cancellationToken);
        // One read of every running campaign's workflows per tick; each campaign's only change meanwhile is its own starts.
        var tallies = await TalliesAsync(running, cancellationToken);
        foreach (var campaign in running)
        {
            try
            {
                await AdvanceAsync(campaign, tallies[campaign.Id], starter, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                // Paused, resumed or aborted meanwhile: the next tick sees it as it is now.
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not NpgsqlException)
            {
                CampaignLog.AdvanceFailed(logger, ex, campaign.Id);
            }
        }
    }

    private async Task AdvanceAsync(CampaignSummary campaign, CampaignTally tally, WorkflowStarter starter, CancellationToken cancellationToken)
    {
        var wave = campaign.Waves[campaign.CurrentWave - 1];
        var waveDevices = campaign.Devices.Take(wave.Devices).ToList();

        if (campaign.StopRules.Tripped(tally, waveEnded: false) is { } reason)
        {
            await AppendAsync(campaign, new CampaignPaused(wave.Number, reason, CampaignPaused.ByStopRule), cancellationToken);
            CampaignLog.PausedByRule(logger, campaign.Id, wave.Number, reason);
            return;
        }

        var pending = waveDevices.Where(d => NeedsStart(campaign, tally, d.SerialNumber)).ToList();
        var slots = campaign.Concurrency - tally.Running;
        if (pending.Count > 0 && slots > 0)
        {
            var previous = Activity.Current;
            using (CampaignSpans.StartAdvance(campaign))
            {
                foreach (var device in pending.Take(slots))
                {
                    await starter.StartAsync(StartOf(campaign, device), cancellationToken);
                }
            }
            Activity.Current = previous;
            return;
        }

        if (pending.Count == 0 && tally.AllEnded(waveDevices.Select(d => d.SerialNumber)))
        {
            if (campaign.StopRules.Tripped(tally, waveEnded: true) is { } atWaveEnd)
            {
                await AppendAsync(campaign, new CampaignPaused(wave.Number, atWaveEnd, CampaignPaused.ByStopRule), cancellationToken);
                CampaignLog.PausedByRule(logger, campaign.Id, wave.Number, atWaveEnd);
                return;
            }
            var completed = new CampaignWaveCompleted(wave.Number, tally.Ended, tally.Failed);
            if (wave.Number == campaign.Waves.Count)
                await AppendAsync(campaign, [completed, new CampaignCompleted(tally.Succeeded, tally.FailedOverall)], cancellationToken);
            else
                await AppendAsync(campaign, [completed], cancellationToken);
            CampaignLog.WaveCompleted(logger, campaign.Id, wave.Number, tally.Ended, tally.Failed);
            Wake(); // start the next wave without waiting a tick
        }
    }

    /// <summary>A plan campaign provisions the device again; a firmware campaign upgrades it.</summary>
    private static StartRequest StartOf(CampaignSummary campaign, Workflows.Events.DeviceDescriptor device) => campaign.Firmware is { } firmware
        ? new StartRequest(device, campaign.RequestIdFor(device.SerialNumber), WorkflowTrigger.Campaign, Kind: WorkflowKind.UpgradeFirmware,
            Firmware: firmware.Image, CampaignId: campaign.Id)
        : new StartRequest(device, campaign.RequestIdFor(device.SerialNumber), WorkflowTrigger.Campaign,
            ServicePlanOverride: campaign.ServicePlan, CampaignId: campaign.Id);

    /// <summary>No workflow of this campaign yet, or (after a resume that retries) one of an earlier round that did not succeed.</summary>
    private static bool NeedsStart(CampaignSummary campaign, CampaignTally tally, string serial) =>
        !tally.Latest.TryGetValue(serial, out var latest)
        || (latest.Status is WorkflowStatus.Failed or WorkflowStatus.Cancelled && latest.Round < campaign.Round);

    public async Task<CampaignTally> TallyAsync(CampaignSummary campaign, CancellationToken cancellationToken) =>
        (await TalliesAsync([campaign], cancellationToken))[campaign.Id];

    /// <summary>The campaigns' progress from their device workflows, read in one query.</summary>
    public async Task<IReadOnlyDictionary<Guid, CampaignTally>> TalliesAsync(IReadOnlyCollection<CampaignSummary> campaigns, CancellationToken cancellationToken)
    {
        if (campaigns.Count == 0) return new Dictionary<Guid, CampaignTally>();
        var ids = campaigns.Select(c => (Guid?)c.Id).ToArray();
        await using var session = store.QuerySession();
        // Whole summaries: Marten's Select() reads an unsigned FaultCode back as a string and fails.
        var rows = (await session.Query<WorkflowSummary>().Where(w => ids.Contains(w.CampaignId)).ToListAsync(cancellationToken))
            .ToLookup(w => w.CampaignId!.Value);
        return campaigns.ToDictionary(c => c.Id, c => new CampaignTally(rows[c.Id].Select(r => new CampaignWorkflow(r.Id, r.SerialNumber, r.Status,
            r.Result, r.FaultCode, CampaignSummary.RoundOf(r.RequestId), r.CreatedAt)), c.JudgedFrom));
    }

    private Task AppendAsync(CampaignSummary campaign, ICampaignEvent change, CancellationToken cancellationToken) =>
        AppendAsync(campaign, [change], cancellationToken);

    private async Task AppendAsync(CampaignSummary campaign, IReadOnlyList<ICampaignEvent> changes, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Events.Append(campaign.Id, campaign.Version + changes.Count, changes.Cast<object>().ToArray());
        await session.SaveChangesAsync(cancellationToken);
    }
}

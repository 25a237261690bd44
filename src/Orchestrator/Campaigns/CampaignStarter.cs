using System.Security.Cryptography;
using System.Text;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Campaigns.Events;
using Provisioning.Orchestrator.ServicePlans;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// Starts a campaign: resolves its selection once, orders it, cuts it into waves and commits the first event. The
/// same request id always names the same campaign stream, so a repeated request starts nothing new.
/// </summary>
public sealed class CampaignStarter(IDocumentStore store, IOptions<CampaignOptions> options, CampaignRunner runner, ILogger<CampaignStarter> logger)
{
    public async Task<CampaignSummary> StartAsync(CampaignDefinition definition, string startedBy, CancellationToken cancellationToken)
    {
        var id = definition.RequestId is { Length: > 0 } requestId ? StreamIdFor(requestId) : Guid.CreateVersion7();
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<CampaignSummary>(id, cancellationToken) is { } earlier) return earlier;

        if (definition.ServicePlan is { Length: > 0 } plan && await session.LoadAsync<ServicePlanDocument>(plan, cancellationToken) is null)
            throw new KeyNotFoundException($"service plan '{plan}' does not exist");
        var selected = await CampaignDevices.SelectAsync(session, definition.Selection, options.Value.MaxDevices, cancellationToken);
        if (selected.Count == 0) throw new CampaignRefusedException("the selection matches no device in the inventory");

        var devices = CampaignOrder.Of(definition.Name, selected, d => d.SerialNumber);
        var waves = CampaignWave.For(definition.WavePercents, devices.Count);
        using var span = CampaignSpans.StartCampaign(id, definition.Name, devices.Count);
        var started = new CampaignStarted(definition.Name, definition.RequestId, definition.Selection, definition.ServicePlan, waves,
            definition.Concurrency, definition.StopRules, devices, startedBy, TraceRef.Of(span), definition.Firmware);
        session.Events.StartStream<CampaignSummary>(id, started);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (ExistingStreamIdCollisionException)
        {
            // The same request id, committed by a concurrent call: answer with what it started.
            await using var again = store.QuerySession();
            return (await again.LoadAsync<CampaignSummary>(id, cancellationToken))!;
        }
        CampaignLog.Started(logger, id, definition.Name, startedBy, devices.Count, waves.Count);
        runner.Wake();
        await using var read = store.QuerySession();
        return (await read.LoadAsync<CampaignSummary>(id, cancellationToken))!;
    }

    private static Guid StreamIdFor(string requestId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes("campaign\0" + requestId)).AsSpan(0, 16));
}

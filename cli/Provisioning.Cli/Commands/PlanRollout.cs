using Grpc.Core;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>
/// A changed plan reaches the devices on it only when they are provisioned again: after an import, say how to roll it
/// out through a campaign, or (--rollout) start one per plan.
/// </summary>
internal static class PlanRollout
{
    public static async Task OfferAsync(CliContext context, ServerConnection connection, IReadOnlyList<string> plans, bool start, CancellationToken cancellationToken)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmm", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var plan in plans)
        {
            var name = $"{plan}-{stamp}";
            if (!start)
            {
                context.Console.MarkupLine(Markup.Escape($"devices on {plan} keep their settings until provisioned again; roll it out in waves: "
                    + $"cpe campaign start --name {name} --select-plan {plan} --plan {plan} --watch   (or import with --rollout)"));
                continue;
            }
            try
            {
                var campaign = await connection.Campaigns.StartCampaignAsync(new StartCampaignRequest
                {
                    Name = name,
                    Selection = new CampaignSelection { ServicePlans = { plan } },
                    ServicePlan = plan,
                    RequestId = $"plans-import:{name}",
                }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
                context.Console.MarkupLine(Markup.Escape($"campaign {campaign.CampaignId} rolls {plan} out to {campaign.Progress.Selected} device(s): cpe campaign status {campaign.CampaignId} --watch"));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                context.Console.MarkupLine(Markup.Escape($"no campaign for {plan}: {e.Status.Detail}"));
            }
        }
    }
}

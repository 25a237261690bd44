using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Campaigns;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Campaigns;

/// <summary>The orchestrator with the scripted adapter, a fast campaign tick, and a fleet registered on one plan.</summary>
public sealed class CampaignSystem : IAsyncDisposable
{
    public const string FaultyModel = "HG-IPTVLESS";

    public ScriptedAdapter Adapter { get; private init; } = null!;
    public SystemUnderTest System { get; private init; } = null!;
    public CampaignService.CampaignServiceClient Campaigns { get; private init; } = null!;

    public static async Task<CampaignSystem> StartAsync()
    {
        var adapter = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(adapter);
        settings["Campaign:Tick"] = "00:00:00.200";
        var system = await SystemUnderTest.StartAsync(settings);
        return new CampaignSystem { Adapter = adapter, System = system, Campaigns = new CampaignService.CampaignServiceClient(system.Invoker(SystemUnderTest.AdminKey)) };
    }

    /// <summary>
    /// Registers <paramref name="count"/> devices on <paramref name="plan"/> (product class HG); those for which
    /// <paramref name="faulty"/> holds are the model that refuses the IPTV VLAN (fault 9007 on the VLAN parameter).
    /// </summary>
    public async Task<IReadOnlyList<string>> RegisterFleetAsync(string prefix, int count, string plan, Func<string, bool>? faulty = null, TimeSpan pushDelay = default)
    {
        await System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = TestPlans.WithIptv(plan) });
        var serials = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D4}").ToList();
        var request = new UpsertDevicesRequest();
        foreach (var serial in serials)
        {
            request.Devices.Add(new Device
            {
                Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG", Protocol = DeviceProtocol.Cwmp },
                CustomerId = "C-" + serial,
                ServicePlan = plan,
                LocationId = "LOC-1",
            });
            var bad = faulty?.Invoke(serial) == true;
            Adapter.Devices[serial] = new DeviceScript
            {
                Model = bad ? FaultyModel : "HG-100",
                PushDelay = pushDelay,
                RejectPush = bad ? RefuseIptvVlan : null,
            };
        }
        await System.Inventory.UpsertDevicesAsync(request);
        return serials;
    }

    private static StepFailure RefuseIptvVlan(PushConfigRequest push)
    {
        var vlan = push.Parameters.FirstOrDefault(p => p.Value == "300");
        if (vlan is null) return null!;
        return new StepFailure
        {
            Kind = FailureKind.DeviceFault, FaultCode = 9003, FaultString = "Invalid arguments",
            ParameterFaults = { new ParameterFault { Name = vlan.Name, FaultCode = 9007, FaultString = "Invalid parameter value" } },
        };
    }

    /// <summary>The serials in the order the campaign called <paramref name="name"/> will go through them.</summary>
    public static IReadOnlyList<string> OrderOf(string name, IEnumerable<string> serials) => CampaignOrder.Of(name, serials, s => s);

    public async Task<Campaign> WaitAsync(string campaignId, Func<Campaign, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        Campaign campaign;
        do
        {
            campaign = await Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = campaignId });
            if (until(campaign)) return campaign;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"campaign {campaignId} is {campaign.State} ({campaign.StateReason}), progress {campaign.Progress}");
    }

    public async Task<IReadOnlyList<Workflow>> WorkflowsOfAsync(string serial) =>
        (await System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial })).Workflows;

    public async ValueTask DisposeAsync()
    {
        await System.DisposeAsync();
        await Adapter.DisposeAsync();
    }
}

using Grpc.Core;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Campaigns;

public sealed class CampaignControlTests : IAsyncLifetime
{
    private CampaignSystem _system = null!;

    public async Task InitializeAsync() => _system = await CampaignSystem.StartAsync();
    public async Task DisposeAsync() => await _system.DisposeAsync();

    private StartCampaignRequest Request(string plan, string name = "control") => new()
    {
        Name = name,
        Selection = new CampaignSelection { ServicePlans = { plan } },
        WavePercents = { 50, 100 },
        Concurrency = 2,
    };

    [Fact]
    public async Task Pause_stops_new_starts_resume_goes_on_abort_ends_it()
    {
        await _system.RegisterFleetAsync("PC", 12, "pc-plan", pushDelay: TimeSpan.FromMilliseconds(300));
        var started = await _system.Campaigns.StartCampaignAsync(Request("pc-plan"));

        var paused = await _system.Campaigns.PauseCampaignAsync(new CampaignChangeRequest { CampaignId = started.CampaignId, Reason = "maintenance window" });
        Assert.Equal(CampaignState.Paused, paused.State);
        Assert.Contains("maintenance window", paused.StateReason);
        var settled = await _system.WaitAsync(started.CampaignId, c => c.Progress.Running == 0);
        await Task.Delay(800);
        Assert.Equal(settled.Progress.Started, (await _system.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = started.CampaignId })).Progress.Started);

        var refused = await Assert.ThrowsAsync<RpcException>(() => _system.Campaigns.PauseCampaignAsync(new CampaignChangeRequest { CampaignId = started.CampaignId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

        await _system.Campaigns.ResumeCampaignAsync(new ResumeCampaignRequest { CampaignId = started.CampaignId });
        await _system.WaitAsync(started.CampaignId, c => c.Progress.Started > settled.Progress.Started);
        var aborted = await _system.Campaigns.AbortCampaignAsync(new CampaignChangeRequest { CampaignId = started.CampaignId, Reason = "wrong plan" });
        Assert.Equal(CampaignState.Aborted, aborted.State);
        var afterAbort = await _system.WaitAsync(started.CampaignId, c => c.Progress.Running == 0);
        await Task.Delay(800);
        Assert.Equal(afterAbort.Progress.Started, (await _system.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = started.CampaignId })).Progress.Started);
        Assert.True(afterAbort.Progress.Started < 12);

        var again = await Assert.ThrowsAsync<RpcException>(() => _system.Campaigns.ResumeCampaignAsync(new ResumeCampaignRequest { CampaignId = started.CampaignId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task Bad_requests_are_refused_and_start_nothing()
    {
        await _system.RegisterFleetAsync("BR", 3, "br-plan");
        async Task<StatusCode> Refusal(StartCampaignRequest request, string? key = null)
        {
            var client = key is null ? _system.Campaigns : new CampaignService.CampaignServiceClient(_system.System.Invoker(key));
            return (await Assert.ThrowsAsync<RpcException>(() => client.StartCampaignAsync(request).ResponseAsync)).StatusCode;
        }

        var decreasing = Request("br-plan"); decreasing.WavePercents.Clear(); decreasing.WavePercents.Add([50, 10, 100]);
        Assert.Equal(StatusCode.InvalidArgument, await Refusal(decreasing));
        var notToHundred = Request("br-plan"); notToHundred.WavePercents.Clear(); notToHundred.WavePercents.Add([10, 50]);
        Assert.Equal(StatusCode.InvalidArgument, await Refusal(notToHundred));
        Assert.Equal(StatusCode.InvalidArgument, await Refusal(new StartCampaignRequest { Name = "nothing selected" }));
        var badRate = Request("br-plan"); badRate.StopRules = new CampaignStopRules { MaxFailureRate = 1.5 };
        Assert.Equal(StatusCode.InvalidArgument, await Refusal(badRate));
        Assert.Equal(StatusCode.FailedPrecondition, await Refusal(Request("no-such-plan-has-devices")));
        var both = Request("br-plan"); both.ServicePlan = "br-plan"; both.Firmware = new CampaignFirmware { ModelProfileTarget = true };
        Assert.Equal(StatusCode.InvalidArgument, await Refusal(both));
        var ftp = Request("br-plan"); ftp.Firmware = new CampaignFirmware { Version = "2", Url = "ftp://images.example.net/2.bin" };
        Assert.Equal(StatusCode.InvalidArgument, await Refusal(ftp));
        var unknownPlan = Request("br-plan"); unknownPlan.ServicePlan = "missing";
        Assert.Equal(StatusCode.NotFound, await Refusal(unknownPlan));
        Assert.Equal(StatusCode.PermissionDenied, await Refusal(Request("br-plan"), SystemUnderTest.OperatorKey));

        Assert.Empty((await _system.Campaigns.ListCampaignsAsync(new ListCampaignsRequest())).Campaigns);
        foreach (var serial in new[] { "BR0000", "BR0001", "BR0002" }) Assert.Empty(await _system.WorkflowsOfAsync(serial));

        var missing = await Assert.ThrowsAsync<RpcException>(() => _system.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_same_request_id_starts_one_campaign()
    {
        await _system.RegisterFleetAsync("RI", 4, "ri-plan");
        var request = Request("ri-plan", "idempotent");
        request.RequestId = "oss-change-4711";
        var first = await _system.Campaigns.StartCampaignAsync(request);
        var second = await _system.Campaigns.StartCampaignAsync(request);
        Assert.Equal(first.CampaignId, second.CampaignId);
        Assert.Single((await _system.Campaigns.ListCampaignsAsync(new ListCampaignsRequest())).Campaigns, c => c.Name == "idempotent");
        await _system.WaitAsync(first.CampaignId, c => c.State == CampaignState.Completed);
        foreach (var serial in new[] { "RI0000", "RI0001", "RI0002", "RI0003" }) Assert.Single(await _system.WorkflowsOfAsync(serial));
    }

    [Fact]
    public async Task Watching_streams_progress_until_it_completes()
    {
        await _system.RegisterFleetAsync("WA", 6, "wa-plan", pushDelay: TimeSpan.FromMilliseconds(100));
        var started = await _system.Campaigns.StartCampaignAsync(Request("wa-plan", "watched"));
        using var watch = _system.Campaigns.WatchCampaign(new GetCampaignRequest { CampaignId = started.CampaignId });
        var seen = new List<Campaign>();
        await foreach (var update in watch.ResponseStream.ReadAllAsync()) seen.Add(update);
        Assert.True(seen.Count >= 3);
        Assert.Equal(CampaignState.Completed, seen[^1].State);
        Assert.Equal(6u, seen[^1].Progress.Succeeded);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second.Progress.Succeeded >= p.First.Progress.Succeeded));
    }
}

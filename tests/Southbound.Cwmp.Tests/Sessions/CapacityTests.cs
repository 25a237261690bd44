using Provisioning.Southbound.Cwmp.Sessions;
using Provisioning.Southbound.Cwmp.Tests.Support;
using Provisioning.Simulators.Cwmp;
using Microsoft.Extensions.DependencyInjection;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

public sealed class CapacityTests
{
    [Fact]
    public async Task A_storm_larger_than_capacity_gets_503_with_retry_after_and_never_more_sessions_than_capacity()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Cwmp:MaxSessions"] = "5",
            ["Cwmp:RetryAfterSeconds"] = "7",
            ["Cwmp:HoldTimeout"] = "00:00:01",
        });
        // Every contact is held for a workflow that never sends anything, so sessions stay open for the hold timeout.
        h.Orchestrator.Decide = _ => new Contracts.Southbound.DeviceContactDecision { Action = Contracts.Southbound.ContactAction.Provision, WorkflowId = "w" };
        var cpes = Enumerable.Range(0, 30).Select(i => h.AddDevice($"CAP{i:D3}", new CpeBehavior { AnswerDelay = TimeSpan.FromMilliseconds(100) })).ToList();
        var registry = h.Adapter.Services.GetRequiredService<CpeSessionRegistry>();

        var peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested) { peak = Math.Max(peak, registry.Count); await Task.Delay(5); }
        });
        var results = await Task.WhenAll(cpes.Select(c => c.BootstrapAsync()));
        sampling.Cancel();
        await sampler;

        var refused = results.Where(r => !r.Succeeded).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Contains("503", r.Error));
        Assert.True(results.Count(r => r.Succeeded) >= 5);
        Assert.True(peak <= 5, $"peak sessions {peak}");
    }

    [Fact]
    public async Task A_refused_CPE_is_told_when_to_come_back_before_anything_is_read()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:MaxSessions"] = "0", ["Cwmp:RetryAfterSeconds"] = "7" });
        using var http = new HttpClient();
        using var response = await http.PostAsync(h.AcsUrl, new StringContent("<not even xml", System.Text.Encoding.UTF8, "text/xml"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal(0, h.Orchestrator.Lookups);
    }
}

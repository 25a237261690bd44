using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

/// <summary>Every refused contact is on record with the orchestrator, a bounded number of times, and never in the CPE's way.</summary>
public sealed class RefusalReportingTests
{
    [Fact]
    public async Task A_flood_of_wrong_passwords_produces_a_bounded_number_of_refusal_reports()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });
        h.Orchestrator.Inventory["SN-FLOOD"] = new InventoryEntry("SN-FLOOD", "flood", "right");
        h.Orchestrator.Inventory["SN-NEIGHBOUR"] = new InventoryEntry("SN-NEIGHBOUR", "neighbour", "its-pw");
        var wrong = RawCpe.Basic("flood", "wrong");

        for (var i = 0; i < 200; i++) Assert.Equal(401, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-FLOOD"), authorization: wrong)).Status);
        // Another reason for the same device is a report of its own.
        Assert.Equal(401, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-FLOOD"), authorization: RawCpe.Basic("neighbour", "its-pw"))).Status);
        await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.OtherDevice);
        await Task.Delay(300);

        var refusals = h.Orchestrator.Refusals.Where(r => r.Device.SerialNumber == "SN-FLOOD").ToList();
        Assert.Equal(1, refusals.Count(r => r.Reason == RefusalReason.WrongPassword && r.Username == "flood"));
        Assert.Equal(2, refusals.Count);
    }

    [Fact]
    public async Task A_slow_orchestrator_does_not_slow_the_answer_to_a_refused_cpe()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });
        h.Orchestrator.RefusalDelay = TimeSpan.FromSeconds(5);

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
            Assert.Equal(401, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform($"SN-SLOW{i}"), authorization: RawCpe.Basic($"nobody{i}", "x"))).Status);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task An_unknown_user_is_reported_with_its_username_and_no_password()
    {
        await using var h = await AcsHarness.StartAsync();
        var cpe = h.AddDevice("SN-NOBODY", configure: o => o with { Username = "nobody", Password = "p4ssw0rd-secret", AuthScheme = CpeAuthScheme.Digest });

        Assert.False((await cpe.InformAsync("2 PERIODIC")).Succeeded);

        var refusal = await h.Orchestrator.WaitForRefusalAsync(r => r.Device.SerialNumber == "SN-NOBODY");
        Assert.Equal(RefusalReason.UnknownDevice, refusal.Reason);
        Assert.Equal("nobody", refusal.Username);
        Assert.Equal("127.0.0.1", refusal.RemoteAddress);
        Assert.DoesNotContain("p4ssw0rd", refusal.ToString());
    }
}

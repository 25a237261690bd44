using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Testing;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

public sealed class CpeAuthenticationTests
{
    private static readonly Dictionary<string, string?> BasicOverHttp = new() { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" };

    [Theory]
    [InlineData(CpeAuthScheme.Digest)]
    [InlineData(CpeAuthScheme.Basic)]
    public async Task Per_device_credentials_from_the_inventory_are_accepted(CpeAuthScheme scheme)
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp);
        h.Orchestrator.Inventory["SN-AUTH"] = new InventoryEntry("SN-AUTH", "cpe-sn-auth", "s3cret");
        var cpe = h.AddDevice("SN-AUTH", configure: o => o with { Username = "cpe-sn-auth", Password = "s3cret", AuthScheme = scheme });

        var result = await cpe.BootstrapAsync();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Single(h.Orchestrator.Reports);
    }

    [Theory]
    [InlineData(CpeAuthScheme.Digest)]
    [InlineData(CpeAuthScheme.Basic)]
    public async Task A_wrong_password_gets_401_and_is_counted(CpeAuthScheme scheme)
    {
        using var failures = new FailureCounter();
        await using var h = await AcsHarness.StartAsync(BasicOverHttp);
        h.Orchestrator.Inventory["SN-BAD"] = new InventoryEntry("SN-BAD", "cpe-sn-bad", "right");
        var cpe = h.AddDevice("SN-BAD", configure: o => o with { Username = "cpe-sn-bad", Password = "wrong", AuthScheme = scheme });

        var result = await cpe.BootstrapAsync();

        Assert.False(result.Succeeded);
        Assert.Contains("401", result.Error);
        Assert.Empty(h.Orchestrator.Reports);
        Assert.True(failures.Count >= 1);
    }

    [Fact]
    public async Task The_bootstrap_credential_admits_a_device_not_yet_in_the_inventory()
    {
        await using var h = await AcsHarness.StartAsync();
        var cpe = h.AddDevice("SN-NEW", configure: o => o with { AuthScheme = CpeAuthScheme.Digest });
        Assert.True((await cpe.BootstrapAsync()).Succeeded);
    }

    [Fact]
    public async Task The_end_of_a_workflow_ends_the_bootstrap_credential_of_a_now_provisioned_device_at_once_not_when_its_cache_expires()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:CacheDuration"] = "00:05:00" });
        h.Orchestrator.Inventory["SN-DONE"] = new InventoryEntry("SN-DONE", "done-user", "done-pw");
        var cpe = h.AddDevice("SN-DONE", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }); // bootstrap/bootstrap
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        // Its workflow ended: the inventory says provisioned, and the orchestrator releases the device.
        h.Orchestrator.Inventory["SN-DONE"] = new InventoryEntry("SN-DONE", "done-user", "done-pw", Provisioned: true);
        await h.Client.ReleaseAsync(new Provisioning.Contracts.Southbound.ReleaseRequest { Device = AcsHarness.Ref("SN-DONE") });

        var again = await cpe.BootstrapAsync();
        Assert.False(again.Succeeded);
        Assert.Contains("401", again.Error);
    }

    [Fact]
    public async Task The_bootstrap_credential_serves_a_registered_device_until_it_is_provisioned_then_only_its_own_credential_does()
    {
        using var failures = new FailureCounter();
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-FIRST"] = new InventoryEntry("SN-FIRST", "own-user", "own-pw");
        var cpe = h.AddDevice("SN-FIRST", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }); // bootstrap/bootstrap
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        // Provisioned now: an Inform as SN-PROV with the factory-default credential is someone else's.
        h.Orchestrator.Inventory["SN-PROV"] = new InventoryEntry("SN-PROV", "prov-user", "prov-pw", Provisioned: true);
        var impostor = h.AddDevice("SN-PROV", configure: o => o with { AuthScheme = CpeAuthScheme.Digest });
        var refused = await impostor.BootstrapAsync();
        Assert.False(refused.Succeeded);
        Assert.Contains("401", refused.Error);
        Assert.DoesNotContain(h.Orchestrator.Reports, r => r.Identity.Device.SerialNumber == "SN-PROV");
        Assert.True(failures.Count >= 1);

        // A provisioned device with its own credential is served.
        h.Orchestrator.Inventory["SN-PROV2"] = new InventoryEntry("SN-PROV2", "prov2-user", "prov2-pw", Provisioned: true);
        var genuine = h.AddDevice("SN-PROV2", configure: o => o with { Username = "prov2-user", Password = "prov2-pw", AuthScheme = CpeAuthScheme.Digest });
        Assert.True((await genuine.BootstrapAsync()).Succeeded);
    }

    [Fact]
    public async Task Basic_is_refused_when_not_allowed_but_digest_still_works()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasic"] = "false", ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });
        var basic = h.AddDevice("SN-B", configure: o => o with { AuthScheme = CpeAuthScheme.Basic });
        var digest = h.AddDevice("SN-D", configure: o => o with { AuthScheme = CpeAuthScheme.Digest });
        Assert.False((await basic.BootstrapAsync()).Succeeded);
        Assert.True((await digest.BootstrapAsync()).Succeeded);
    }

    [Fact]
    public async Task No_credentials_at_all_get_a_digest_challenge()
    {
        await using var h = await AcsHarness.StartAsync();
        using var http = new HttpClient();
        var response = await http.PostAsync(h.AcsUrl, new StringContent("<Envelope/>"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "Digest" && c.Parameter!.Contains("qop=\"auth\""));
    }

    [Fact]
    public async Task Lookups_are_cached_during_an_inform_burst()
    {
        await using var h = await AcsHarness.StartAsync(BasicOverHttp);
        h.Orchestrator.Inventory["SN-CACHE"] = new InventoryEntry("SN-CACHE", "cached", "pw");
        var cpe = h.AddDevice("SN-CACHE", configure: o => o with { Username = "cached", Password = "pw", AuthScheme = CpeAuthScheme.Basic });
        for (var i = 0; i < 5; i++) Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        Assert.Equal(1, h.Orchestrator.Lookups);
    }

    [Fact]
    public async Task A_steady_lookup_is_kept_while_the_orchestrators_changes_are_watched_and_asked_again_once_the_device_changed()
    {
        var settings = new Dictionary<string, string?>(BasicOverHttp) { ["Cwmp:Auth:CacheDuration"] = "00:00:00", ["Cwmp:Auth:WatchedCacheDuration"] = "06:00:00" };
        await using var h = await AcsHarness.StartAsync(settings, watchChanges: true);
        var steady = h.Adapter.Services.GetRequiredService<SteadyLookups>();
        await Eventually.TrueAsync(() => steady.Keeping, "the ACS never watched the orchestrator's device changes");
        h.Orchestrator.Inventory["SN-WATCH"] = new InventoryEntry("SN-WATCH", "watched", "pw");
        var cpe = h.AddDevice("SN-WATCH", configure: o => o with { Username = "watched", Password = "pw", AuthScheme = CpeAuthScheme.Basic });
        for (var i = 0; i < 3; i++) Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        Assert.Equal(1, h.Orchestrator.Lookups);

        // The operator rotates the password; the orchestrator hears the write and says so.
        h.Orchestrator.Inventory["SN-WATCH"] = new InventoryEntry("SN-WATCH", "watched", "rotated");
        await h.Orchestrator.Changes!.Writer.WriteAsync(new DeviceChanges { Complete = true, DeviceIds = { "SN-WATCH" } });
        await Eventually.TrueAsync(() => steady.Find("SN-WATCH") is null, "the change was not heard");
        Assert.False((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        Assert.True(h.Orchestrator.Lookups >= 2);
    }

    [Fact]
    public async Task Without_the_watch_a_lookup_is_kept_for_the_brief_cache_only()
    {
        var settings = new Dictionary<string, string?>(BasicOverHttp) { ["Cwmp:Auth:CacheDuration"] = "00:00:00" };
        await using var h = await AcsHarness.StartAsync(settings);
        h.Orchestrator.Inventory["SN-UNWATCHED"] = new InventoryEntry("SN-UNWATCHED", "unwatched", "pw");
        var cpe = h.AddDevice("SN-UNWATCHED", configure: o => o with { Username = "unwatched", Password = "pw", AuthScheme = CpeAuthScheme.Basic });
        for (var i = 0; i < 3; i++) Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        Assert.Equal(3, h.Orchestrator.Lookups);
    }

    /// <summary>Counts cwmp.auth.failures measurements (other tests may add to it concurrently, hence "at least").</summary>
    private sealed class FailureCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long count;

        public FailureCounter()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Provisioning.Southbound.Cwmp" && instrument.Name == "cwmp.auth.failures") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
            listener.Start();
        }

        public long Count => Interlocked.Read(ref count);

        public void Dispose() => listener.Dispose();
    }
}

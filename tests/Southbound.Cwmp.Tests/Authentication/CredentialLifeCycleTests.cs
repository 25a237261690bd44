using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Sessions;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

/// <summary>
/// The ACS side of a device's credential life cycle: each Inform is authenticated as the device it names, with the
/// credentials the orchestrator's lookup offers for it, and the contact says which one it proved itself with.
/// </summary>
public sealed class CredentialLifeCycleTests
{
    private static SimulatedCpe Device(AcsHarness h, string serial, string user, string password) =>
        h.AddDevice(serial, configure: o => o with { Username = user, Password = password, AuthScheme = CpeAuthScheme.Digest });

    [Fact]
    public async Task The_device_credential_is_reported_as_such_with_the_remote_address()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-OWN"] = new InventoryEntry("SN-OWN", "own", "own-pw", Provisioned: true);

        Assert.True((await Device(h, "SN-OWN", "own", "own-pw").InformAsync("2 PERIODIC")).Succeeded);

        var report = Assert.Single(h.Orchestrator.Reports);
        Assert.Equal(ContactCredential.Device, report.Credential);
        Assert.Equal("127.0.0.1", report.RemoteAddress);
    }

    [Fact]
    public async Task The_previous_credential_is_accepted_while_the_lookup_offers_it_and_reported_as_previous()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:CacheDuration"] = "00:00:00" });
        h.Orchestrator.Inventory["SN-PREV"] = new InventoryEntry("SN-PREV", "new-user", "new-pw", Provisioned: true,
            PreviousUsername: "old-user", PreviousPassword: "old-pw");
        var keepsOld = Device(h, "SN-PREV", "old-user", "old-pw");

        Assert.True((await keepsOld.InformAsync("2 PERIODIC")).Succeeded);
        Assert.Equal(ContactCredential.Previous, Assert.Single(h.Orchestrator.Reports).Credential);

        // The orchestrator no longer offers it (adoption window over): refused, and on record.
        h.Orchestrator.Inventory["SN-PREV"] = h.Orchestrator.Inventory["SN-PREV"] with { PreviousUsername = null, PreviousPassword = null };
        var refused = await keepsOld.InformAsync("2 PERIODIC");
        Assert.False(refused.Succeeded);
        var refusal = await h.Orchestrator.WaitForRefusalAsync(r => r.Device.SerialNumber == "SN-PREV");
        Assert.Equal(RefusalReason.WrongPassword, refusal.Reason);
        Assert.Equal("old-user", refusal.Username);
    }

    [Fact]
    public async Task A_device_with_a_bootstrap_secret_bootstraps_only_with_it_and_the_shared_credential_is_refused_on_record()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-LABEL"] = new InventoryEntry("SN-LABEL", "label-own", "label-own-pw", BootstrapPassword: "label-secret");

        var shared = await h.AddDevice("SN-LABEL", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }).BootstrapAsync();
        Assert.False(shared.Succeeded);
        Assert.Empty(h.Orchestrator.Reports);
        var refusal = await h.Orchestrator.WaitForRefusalAsync(r => r.Device.SerialNumber == "SN-LABEL");
        Assert.Equal(RefusalReason.BootstrapRefused, refusal.Reason);
        Assert.Equal("bootstrap", refusal.Username);
        Assert.Equal(["0 BOOTSTRAP", "1 BOOT"], refusal.EventCodes);

        await using var fleet = await CwmpFleet.StartAsync();
        var labelled = fleet.Add(new SimulatedCpeOptions
        {
            SerialNumber = "SN-LABEL", AcsUrl = h.AcsUrl, Username = "bootstrap", Password = "label-secret", AuthScheme = CpeAuthScheme.Digest,
        });
        Assert.True((await labelled.BootstrapAsync()).Succeeded);
        Assert.Equal(ContactCredential.BootstrapSecret, Assert.Single(h.Orchestrator.Reports).Credential);
    }

    [Fact]
    public async Task A_bootstrap_secret_with_its_own_username_is_accepted()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-LABEL2"] = new InventoryEntry("SN-LABEL2", BootstrapUsername: "label", BootstrapPassword: "sticker");

        Assert.True((await Device(h, "SN-LABEL2", "label", "sticker").BootstrapAsync()).Succeeded);

        Assert.Equal(ContactCredential.BootstrapSecret, Assert.Single(h.Orchestrator.Reports).Credential);
    }

    [Fact]
    public async Task The_shared_bootstrap_credential_is_refused_when_the_orchestrator_does_not_allow_it_and_reported_as_bootstrap_when_it_does()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-NOSHARE"] = new InventoryEntry("SN-NOSHARE", SharedBootstrapAllowed: false);
        h.Orchestrator.Inventory["SN-SHARE"] = new InventoryEntry("SN-SHARE", SharedBootstrapAllowed: true);

        var refused = await h.AddDevice("SN-NOSHARE", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }).BootstrapAsync();
        var allowed = await h.AddDevice("SN-SHARE", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }).BootstrapAsync();

        Assert.False(refused.Succeeded);
        Assert.Contains("401", refused.Error);
        Assert.Equal(RefusalReason.BootstrapRefused, (await h.Orchestrator.WaitForRefusalAsync(r => r.Device.SerialNumber == "SN-NOSHARE")).Reason);
        Assert.True(allowed.Succeeded);
        Assert.Equal(ContactCredential.Bootstrap, Assert.Single(h.Orchestrator.Reports).Credential);
    }

    [Fact]
    public async Task A_device_the_inventory_does_not_know_may_use_the_shared_bootstrap_credential()
    {
        await using var h = await AcsHarness.StartAsync();
        Assert.True((await h.AddDevice("SN-STRANGER", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }).BootstrapAsync()).Succeeded);
        Assert.Equal(ContactCredential.Bootstrap, Assert.Single(h.Orchestrator.Reports).Credential);
    }

    [Fact]
    public async Task A_bootstrap_drops_the_cached_lookup_so_a_changed_policy_applies_at_once()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:CacheDuration"] = "00:05:00" });
        h.Orchestrator.Inventory["SN-RESET"] = new InventoryEntry("SN-RESET", "reset-own", "reset-pw", Provisioned: true);
        var cpe = h.AddDevice("SN-RESET", configure: o => o with { AuthScheme = CpeAuthScheme.Digest });
        Assert.False((await cpe.InformAsync("1 BOOT")).Succeeded); // cached now: shared bootstrap not allowed

        // The operator's factory-reset policy lets it in now.
        h.Orchestrator.Inventory["SN-RESET"] = h.Orchestrator.Inventory["SN-RESET"] with { SharedBootstrapAllowed = true };
        Assert.False((await cpe.InformAsync("1 BOOT")).Succeeded); // still the cached answer
        Assert.True((await cpe.BootstrapAsync()).Succeeded);       // 0 BOOTSTRAP: asked again
    }

    [Fact]
    public async Task A_contact_the_orchestrator_refuses_ends_with_204_and_nothing_is_sent()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Refuse, Registered = true };

        var result = await h.AddDevice("SN-POLICY", configure: o => o with { AuthScheme = CpeAuthScheme.Digest }).BootstrapAsync();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Empty(result.RequestsFromAcs);
        Assert.Null(h.Adapter.Services.GetRequiredService<CpeSessionRegistry>().FindByDevice("SN-POLICY"));
    }

    [Fact]
    public async Task Nothing_can_be_queued_for_a_refused_contact()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Refuse, Registered = true };
        using var cpe = await KeptAliveConnection.OpenAsync(h.AcsUrl);
        var challenge = (await cpe.PostAsync(RawCpe.Inform("SN-POLICY2"))).DigestChallenge;
        var inform = await cpe.PostAsync(RawCpe.Inform("SN-POLICY2"), RawCpe.Digest(challenge, "bootstrap", "bootstrap", 1));
        Assert.Equal(200, inform.Status);
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-POLICY2");
        await Task.Delay(200);

        // A caller wanting the device meanwhile finds no session to queue into.
        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-POLICY2") };
        verify.ParameterNames.Add("Device.DeviceInfo.UpTime");
        var pending = h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline(2)).ResponseAsync;
        await Task.Delay(200);
        var next = await cpe.PostAsync("", RawCpe.Digest(challenge, "bootstrap", "bootstrap", 2), inform.Cookie);

        Assert.Equal(204, next.Status);
        Assert.DoesNotContain("GetParameterValues", next.Body);
        var verified = await pending;
        Assert.Empty(verified.Values);
        Assert.NotNull(verified.Failure);
    }

    [Fact]
    public async Task Credentials_of_another_device_are_refused_and_reported()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-OWNER"] = new InventoryEntry("SN-OWNER", "owner", "pw");
        h.Orchestrator.Inventory["SN-OTHER"] = new InventoryEntry("SN-OTHER", "other", "other-pw");

        Assert.False((await Device(h, "SN-OTHER", "owner", "pw").InformAsync("2 PERIODIC")).Succeeded);

        var refusal = await h.Orchestrator.WaitForRefusalAsync(r => r.Device.SerialNumber == "SN-OTHER");
        Assert.Equal(RefusalReason.OtherDevice, refusal.Reason);
        Assert.Equal("owner", refusal.Username);
        Assert.Empty(h.Orchestrator.Reports);
    }
}

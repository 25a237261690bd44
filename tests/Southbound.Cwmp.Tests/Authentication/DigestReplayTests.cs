using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

/// <summary>RFC 7616 nonces as the ACS issues and checks them: a captured Authorization header is worth nothing twice.</summary>
public sealed class DigestReplayTests
{
    private const string Serial = "SN-NC";

    private static async Task<AcsHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var h = await AcsHarness.StartAsync(settings);
        h.Orchestrator.Inventory[Serial] = new InventoryEntry(Serial, "nc-user", "nc-pw");
        return h;
    }

    [Fact]
    public async Task A_replayed_digest_header_is_refused_from_another_connection_and_reported()
    {
        await using var h = await StartAsync();
        var challenge = (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial))).DigestChallenge;
        var captured = RawCpe.Digest(challenge, "nc-user", "nc-pw", nc: 1);
        Assert.Equal(200, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: captured)).Status);

        var replay = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial, "0 BOOTSTRAP"), authorization: captured);

        Assert.Equal(401, replay.Status);
        Assert.DoesNotContain("stale=true", replay.Headers);
        Assert.Single(h.Orchestrator.Reports);
        var refusal = await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.Replayed);
        Assert.Equal(Serial, refusal.Device.SerialNumber);
        Assert.Equal("nc-user", refusal.Username);
        Assert.Equal(["0 BOOTSTRAP"], refusal.EventCodes);
    }

    [Fact]
    public async Task A_replayed_digest_header_is_refused_on_the_same_connection()
    {
        await using var h = await StartAsync();
        using var connection = await KeptAliveConnection.OpenAsync(h.AcsUrl);
        var challenge = (await connection.PostAsync(RawCpe.Inform(Serial))).DigestChallenge;
        var captured = RawCpe.Digest(challenge, "nc-user", "nc-pw", nc: 1);
        Assert.Equal(200, (await connection.PostAsync(RawCpe.Inform(Serial), captured)).Status);

        // A new session's Inform on the same connection with the same header.
        Assert.Equal(401, (await connection.PostAsync(RawCpe.Inform(Serial), captured)).Status);
        await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.Replayed && r.Device.SerialNumber == Serial);
        // The first Inform's contact is reported off the request path (it can land after the 401): only it, not the replay.
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == Serial);
        Assert.Single(h.Orchestrator.Reports);
    }

    [Fact]
    public async Task A_header_a_session_already_used_on_its_connection_cannot_open_a_new_session()
    {
        await using var h = await StartAsync();
        using var connection = await KeptAliveConnection.OpenAsync(h.AcsUrl);
        var challenge = (await connection.PostAsync(RawCpe.Inform(Serial))).DigestChallenge;
        Assert.Equal(200, (await connection.PostAsync(RawCpe.Inform(Serial), RawCpe.Digest(challenge, "nc-user", "nc-pw", nc: 1))).Status);
        // The empty POST carries nc 2 (the session vouches for it already); someone captures it.
        var captured = RawCpe.Digest(challenge, "nc-user", "nc-pw", nc: 2);
        Assert.Equal(204, (await connection.PostAsync("", captured)).Status);

        Assert.Equal(401, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: captured)).Status);
        await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.Replayed);
    }

    [Fact]
    public async Task A_cpe_that_reuses_its_nonce_with_increasing_counts_keeps_working()
    {
        await using var h = await StartAsync();
        var challenge = (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial))).DigestChallenge;
        // Four sessions on the one nonce, each request on a new connection (so each authenticates), nc 1, 2, 3, ...
        var nc = 0;
        for (var session = 0; session < 4; session++)
        {
            var inform = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: RawCpe.Digest(challenge, "nc-user", "nc-pw", ++nc));
            Assert.Equal(200, inform.Status);
            Assert.Equal(204, (await RawCpe.PostAsync(h.AcsUrl, "", inform.Cookie, RawCpe.Digest(challenge, "nc-user", "nc-pw", ++nc))).Status);
        }
        Assert.Equal(4, h.Orchestrator.Reports.Count);
        Assert.Empty(h.Orchestrator.Refusals);
    }

    [Fact]
    public async Task The_simulated_fleet_reuses_its_nonce_across_sessions()
    {
        await using var h = await StartAsync();
        var cpe = h.AddDevice(Serial, configure: o => o with { Username = "nc-user", Password = "nc-pw", AuthScheme = Simulators.Cwmp.CpeAuthScheme.Digest });
        for (var i = 0; i < 3; i++) Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        Assert.Empty(h.Orchestrator.Refusals);
    }

    [Fact]
    public async Task A_nonce_the_acs_does_not_know_gets_a_stale_challenge_and_no_refusal()
    {
        await using var h = await StartAsync();
        // As after a restart of the ACS, or from another instance: the nonce was never issued here.
        var foreign = new Dictionary<string, string> { ["realm"] = "Provisioning ACS", ["nonce"] = "00112233445566778899aabbccddeeff" };
        var answer = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: RawCpe.Digest(foreign, "nc-user", "nc-pw", 1));

        Assert.Equal(401, answer.Status);
        Assert.Equal("true", answer.DigestChallenge["stale"]);
        var retry = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: RawCpe.Digest(answer.DigestChallenge, "nc-user", "nc-pw", 1));
        Assert.Equal(200, retry.Status);
        await Task.Delay(300);
        Assert.Empty(h.Orchestrator.Refusals);
    }

    [Fact]
    public async Task An_expired_nonce_gets_a_stale_challenge_and_no_refusal()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:NonceLifetime"] = "00:00:00.500" });
        var challenge = (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial))).DigestChallenge;
        await Task.Delay(800);

        var answer = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: RawCpe.Digest(challenge, "nc-user", "nc-pw", 1));

        Assert.Equal(401, answer.Status);
        Assert.Equal("true", answer.DigestChallenge["stale"]);
        Assert.NotEqual(challenge["nonce"], answer.DigestChallenge["nonce"]);
        await Task.Delay(300);
        Assert.Empty(h.Orchestrator.Refusals);
    }

    [Fact]
    public async Task The_rfc_2069_form_uses_a_nonce_once()
    {
        await using var h = await StartAsync();
        var challenge = (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial))).DigestChallenge;
        var header = RawCpe.Digest(challenge, "nc-user", "nc-pw", 1, rfc2069: true);
        Assert.Equal(200, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: header)).Status);
        Assert.Equal(401, (await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform(Serial), authorization: header)).Status);
        await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.Replayed);
    }
}

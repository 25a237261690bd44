using Provisioning.Southbound.Cwmp.Authentication;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

public sealed class DigestNoncesTests
{
    private sealed class ManualTime : TimeProvider
    {
        private long ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }

    private static (DigestNonces Nonces, ManualTime Time) Table(int max = 100, double lifetimeSeconds = 300)
    {
        var time = new ManualTime();
        var options = new CwmpOptions { Auth = new CwmpAuthOptions { MaxNonces = max, NonceLifetime = TimeSpan.FromSeconds(lifetimeSeconds) } };
        return (new DigestNonces(options, time), time);
    }

    [Fact]
    public void Increasing_nonce_counts_are_accepted_and_a_count_not_greater_than_the_last_is_a_replay()
    {
        var (nonces, _) = Table();
        var nonce = nonces.Issue("10.0.0.1");
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", "00000001"));
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", "00000002"));
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", "0000000a"));
        Assert.Equal(NonceUse.Replayed, nonces.Use(nonce, "10.0.0.1", "0000000a"));
        Assert.Equal(NonceUse.Replayed, nonces.Use(nonce, "10.0.0.1", "00000003"));
    }

    [Fact]
    public void A_nonce_is_bound_to_the_client_it_was_issued_to()
    {
        var (nonces, _) = Table();
        var nonce = nonces.Issue("10.0.0.1");
        Assert.Equal(NonceUse.OtherClient, nonces.Use(nonce, "10.6.6.6", "00000001"));
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", "00000001"));
    }

    [Fact]
    public void The_rfc_2069_form_uses_a_nonce_once()
    {
        var (nonces, _) = Table();
        var nonce = nonces.Issue("10.0.0.1");
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", null));
        Assert.Equal(NonceUse.Replayed, nonces.Use(nonce, "10.0.0.1", null));
        Assert.Equal(NonceUse.Replayed, nonces.Use(nonce, "10.0.0.1", "00000009"));
    }

    [Fact]
    public void A_nonce_expires_and_an_unknown_one_is_unknown()
    {
        var (nonces, time) = Table(lifetimeSeconds: 60);
        var nonce = nonces.Issue("10.0.0.1");
        Assert.Equal(NonceState.Valid, nonces.Check(nonce));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(NonceState.Expired, nonces.Check(nonce));
        Assert.Equal(NonceUse.Stale, nonces.Use(nonce, "10.0.0.1", "00000001"));
        Assert.Equal(NonceState.Unknown, nonces.Check("0123456789abcdef0123456789abcdef"));
    }

    [Fact]
    public void A_flood_of_challenges_keeps_the_table_bounded_and_evicts_the_oldest()
    {
        var (nonces, _) = Table(max: 100);
        var first = nonces.Issue("10.0.0.1");
        for (var i = 0; i < 10_000; i++) nonces.Issue("10.9.9.9");
        Assert.Equal(100, nonces.Count);
        Assert.Equal(NonceState.Unknown, nonces.Check(first));
    }

    [Fact]
    public void A_count_observed_in_a_session_cannot_open_another_one()
    {
        var (nonces, _) = Table();
        var nonce = nonces.Issue("10.0.0.1");
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", "00000001"));
        nonces.Observe(nonce, "10.0.0.1", "00000003");
        Assert.Equal(NonceUse.Replayed, nonces.Use(nonce, "10.0.0.1", "00000003"));
        Assert.Equal(NonceUse.Accepted, nonces.Use(nonce, "10.0.0.1", "00000004"));
    }
}

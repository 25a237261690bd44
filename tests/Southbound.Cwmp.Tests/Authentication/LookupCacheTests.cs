using Microsoft.Extensions.Time.Testing;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

/// <summary>The adapters' memory of LookupDevice answers, on a fake clock: kept for its duration, never an outage.</summary>
public sealed class LookupCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private int _lookups;

    private Task<string> Lookup() => Task.FromResult("answer " + Interlocked.Increment(ref _lookups));

    [Fact]
    public async Task An_answer_is_reused_for_its_duration_and_looked_up_again_after_it()
    {
        var cache = new LookupCache<string>(TimeSpan.FromSeconds(30), time: _time);
        Assert.Equal("answer 1", await cache.GetAsync("SN1", Lookup, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("answer 1", await cache.GetAsync("SN1", Lookup, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("answer 2", await cache.GetAsync("SN1", Lookup, CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_lookup_is_not_remembered()
    {
        var cache = new LookupCache<string>(TimeSpan.FromSeconds(30), time: _time);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("SN1", () => Task.FromException<string>(new InvalidOperationException("orchestrator away")), CancellationToken.None));
        Assert.Equal("answer 1", await cache.GetAsync("SN1", Lookup, CancellationToken.None));
    }

    [Fact]
    public async Task A_zero_duration_keeps_nothing()
    {
        var cache = new LookupCache<string>(TimeSpan.Zero, time: _time);
        await cache.GetAsync("SN1", Lookup, CancellationToken.None);
        await cache.GetAsync("SN1", Lookup, CancellationToken.None);
        Assert.Equal(2, _lookups);
    }
}

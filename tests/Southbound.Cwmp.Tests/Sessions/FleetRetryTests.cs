using System.Collections.Concurrent;
using Grpc.Core;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>
/// The fleet simulator's bootstrap, as its command runs it (simulators/Cwmp, --retries/--retry-wait), retries a failed
/// session with TR-069's retry wait (3.2.1.1), as real CPEs do, so a run against an ACS that failed some sessions (its
/// orchestrator away: 503) still ends with every device bootstrapped (issue 16.6).
/// </summary>
public sealed class FleetRetryTests
{
    [Fact]
    public async Task Devices_whose_bootstrap_failed_inform_again_after_the_retry_wait_until_it_succeeds()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:HoldTimeout"] = "00:00:01" });
        var failures = new ConcurrentDictionary<string, int>();
        // Each device's first two bootstraps are failed with 503 (the orchestrator could not take them).
        h.Orchestrator.Decide = r => failures.AddOrUpdate(r.Identity.Device.SerialNumber, 1, (_, n) => n + 1) <= 2
            ? throw new RpcException(new Status(StatusCode.Unavailable, "orchestrator restarting"))
            : new Contracts.Southbound.DeviceContactDecision();
        for (var i = 0; i < 5; i++) h.AddDevice($"RETRY{i:D2}");

        var summary = await h.Fleet.BootstrapAllAsync(concurrency: 3, new SessionRetry(TimeSpan.FromMilliseconds(100), MaxRetries: 4));

        Assert.True(summary.Failed == 0, summary.ToString());
        Assert.Equal(5, summary.Succeeded);
        Assert.Equal(10, summary.Retries);
    }

    [Fact]
    public async Task A_device_that_never_succeeds_stops_after_its_retries()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:HoldTimeout"] = "00:00:01" });
        h.Orchestrator.Decide = _ => throw new RpcException(new Status(StatusCode.Unavailable, "orchestrator away"));
        h.AddDevice("RETRYNEVER");

        var summary = await h.Fleet.BootstrapAllAsync(concurrency: 1, new SessionRetry(TimeSpan.FromMilliseconds(50), MaxRetries: 2));

        Assert.Equal(1, summary.Failed);
        Assert.Equal(2, summary.Retries);
        Assert.Contains("503", Assert.Single(summary.Errors).Key);
    }
}

using Grpc.Core;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

public sealed class UnreportedBootstrapTests
{
    [Fact]
    public async Task A_bootstrap_the_orchestrator_never_heard_of_fails_the_session_so_the_CPE_retries_it()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:HoldTimeout"] = "00:00:01" });
        h.Orchestrator.Decide = _ => throw new RpcException(new Status(StatusCode.Unavailable, "orchestrator restarting"));
        var cpe = h.AddDevice("UNREPORTED01");

        var lost = await cpe.BootstrapAsync();
        Assert.False(lost.Succeeded, lost.ToString());
        Assert.Contains("503", lost.Error);

        // Once the orchestrator answers again, the CPE's retry (same events) is reported and the session ends normally.
        h.Orchestrator.Decide = _ => new Contracts.Southbound.DeviceContactDecision();
        var retried = await cpe.BootstrapAsync();
        Assert.True(retried.Succeeded, retried.ToString());
        Assert.Contains(h.Orchestrator.Reports, r => r.Identity.Device.SerialNumber == "UNREPORTED01" && r.EventCodes.Contains("0 BOOTSTRAP"));
    }

    [Fact]
    public async Task A_periodic_inform_the_orchestrator_missed_still_ends_cleanly()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:HoldTimeout"] = "00:00:01" });
        h.Orchestrator.Decide = _ => throw new RpcException(new Status(StatusCode.Unavailable, "orchestrator restarting"));
        var cpe = h.AddDevice("UNREPORTED02");

        var periodic = await cpe.InformAsync("2 PERIODIC");
        Assert.True(periodic.Succeeded, periodic.ToString());
    }
}

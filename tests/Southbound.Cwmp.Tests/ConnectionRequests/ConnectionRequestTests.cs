using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.ConnectionRequests;

public sealed class ConnectionRequestTests
{
    [Fact]
    public async Task A_busy_device_answering_503_is_retried_until_it_accepts()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-BUSY"] = new InventoryEntry("SN-BUSY");
        var cpe = h.AddDevice("SN-BUSY", new CpeBehavior { ConnectionRequests = ConnectionRequestMode.Busy });
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        _ = Task.Delay(700).ContinueWith(_ => cpe.Behavior.ConnectionRequests = ConnectionRequestMode.Accept);
        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-BUSY") }, deadline: AcsHarness.Deadline(8));

        Assert.Null(auth.Failure);
        Assert.Equal(ReachedVia.ConnectionRequest, auth.ReachedVia);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-BUSY") });
    }

    [Fact]
    public async Task A_device_this_instance_never_heard_is_woken_by_the_connection_request_url_the_orchestrator_recorded()
    {
        // As after a restart of this ACS, or when the device last informed another instance: nothing in memory here.
        await using var h = await AcsHarness.StartAsync();
        var cpe = h.AddDevice("SN-ELSEWHERE");
        h.Orchestrator.Inventory["SN-ELSEWHERE"] = new InventoryEntry("SN-ELSEWHERE", ConnectionRequestUrl: cpe.ConnectionRequestUrl);

        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-ELSEWHERE") }, deadline: AcsHarness.Deadline(8));

        Assert.Null(auth.Failure);
        Assert.Equal(ReachedVia.ConnectionRequest, auth.ReachedVia);
        Assert.Equal("SN-ELSEWHERE", auth.Identity.Device.SerialNumber);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-ELSEWHERE") });
        await cpe.WaitForSessionsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal(["6 CONNECTION REQUEST"], cpe.History.Single().EventCodes);
    }

    [Fact]
    public async Task A_device_that_informs_on_its_own_while_connection_requests_are_refused_is_served_in_that_session()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-SELF"] = new InventoryEntry("SN-SELF");
        var cpe = h.AddDevice("SN-SELF", new CpeBehavior { ConnectionRequests = ConnectionRequestMode.Busy });
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var auth = h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-SELF") }, deadline: AcsHarness.Deadline(15)).ResponseAsync;
        await Task.Delay(800); // Connection Requests are being answered 503 by now
        var periodic = cpe.InformAsync("2 PERIODIC");
        var answer = await auth;

        Assert.Null(answer.Failure);
        Assert.Equal("SN-SELF", answer.Identity.Device.SerialNumber);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"reached after {started.Elapsed}: the Connection Requests went on after the device informed");
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-SELF") });
        Assert.True((await periodic).Succeeded);
    }

    [Fact]
    public async Task A_device_that_never_informed_any_ACS_is_unreachable_at_once()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-NEVER"] = new InventoryEntry("SN-NEVER");

        var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-NEVER") }, deadline: AcsHarness.Deadline(8));

        Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
        Assert.Contains("never informed", auth.Failure.FaultString);
    }

    [Fact]
    public async Task Wrong_connection_request_credentials_leave_the_device_unreachable()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-CRPW"] = new InventoryEntry("SN-CRPW", ConnectionRequestPassword: "not-the-devices");
        var cpe = h.AddDevice("SN-CRPW");
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        // The adapter keeps retrying the Connection Request until just before the deadline; on a loaded box the typed
        // answer can lose that race to the deadline itself. Either way the device must not count as reached.
        try
        {
            var auth = await h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref("SN-CRPW") }, deadline: AcsHarness.Deadline(8));
            Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
            // The reason names what the device answered, for the analyst reading the workflow's failure.
            Assert.Contains("HTTP 401: the device refused the Connection Request credentials", auth.Failure.FaultString);
            Assert.DoesNotContain("not-the-devices", auth.Failure.FaultString);
        }
        catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.DeadlineExceeded)
        {
        }
        Assert.Single(cpe.History);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Sessions;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

public sealed class CpeSessionRegistryTests
{
    private readonly CpeSessionRegistry registry = new(NullLogger<CpeSessionRegistry>.Instance);

    private static CwmpSession NewSession(string serial) =>
        new(CpeSessionRegistry.NewSessionId(), serial, new DeviceIdentity { Device = new DeviceRef { SerialNumber = serial } }, "urn:dslforum-org:cwmp-1-2", [], null);

    [Fact]
    public async Task A_superseding_inform_fails_the_rpc_in_flight_and_carries_the_queued_ones_and_the_hold_over()
    {
        var old = NewSession("SN1");
        registry.Open(old);
        old.Hold("wf-1");
        var inFlight = new PendingRpc(new GetParameterValues(["Device.A"]));
        var queued = new PendingRpc(new Reboot("rb"));
        Assert.True(old.TryEnqueue(inFlight));
        Assert.True(old.TryEnqueue(queued));
        Assert.Same(inFlight, old.TryStartNext());

        var replacement = NewSession("SN1");
        registry.Open(replacement);

        Assert.True(old.IsClosed);
        await Assert.ThrowsAsync<CwmpSessionClosedException>(() => inFlight.Result);
        Assert.False(queued.IsDone);
        Assert.Same(replacement, registry.FindByDevice("SN1"));
        Assert.Null(registry.FindById(old.Id));
        Assert.True(replacement.ShouldHold);
        Assert.Equal("wf-1", replacement.WorkflowId);
        Assert.Same(queued, replacement.TryStartNext());
    }

    [Fact]
    public async Task A_held_empty_post_wakes_for_a_queued_rpc_and_ends_on_release()
    {
        var session = NewSession("SN2");
        registry.Open(session);
        session.Hold("wf-2");

        var waiting = session.WaitForWorkAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        session.TryEnqueue(new PendingRpc(new GetRpcMethods()));
        Assert.True(await waiting);
        Assert.NotNull(session.TryStartNext());

        waiting = session.WaitForWorkAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        session.Release();
        Assert.False(await waiting);
        Assert.False(session.ShouldHold);
    }

    [Fact]
    public async Task A_waiter_for_the_next_session_gets_it_and_the_session_is_held_for_it()
    {
        var waiting = registry.WaitForSessionAsync("SN3", CancellationToken.None);
        var session = NewSession("SN3");
        registry.Open(session);

        Assert.Same(session, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(session.ShouldHold);
    }

    [Fact]
    public async Task A_session_whose_cpe_sits_on_an_rpc_is_closed_and_the_rpc_fails()
    {
        var session = NewSession("SN4");
        registry.Open(session);
        var rpc = new PendingRpc(new GetParameterValues(["Device.A"]));
        session.TryEnqueue(rpc);
        session.TryStartNext();
        await Task.Delay(60);

        registry.CloseIdle(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        Assert.True(session.IsClosed);
        await Assert.ThrowsAsync<CwmpSessionClosedException>(() => rpc.Result);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Sessions;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>Idle sessions and sessions sitting on an unanswered RPC are closed, on a fake clock rather than real waiting.</summary>
public sealed class SessionTimeoutTests
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(30), UnansweredRpcTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly CpeSessionRegistry _registry = new(NullLogger<CpeSessionRegistry>.Instance);

    private CwmpSession Open(string serial)
    {
        var session = new CwmpSession(CpeSessionRegistry.NewSessionId(), serial, new DeviceIdentity { Device = new DeviceRef { SerialNumber = serial } },
            "urn:dslforum-org:cwmp-1-2", [], null, time: _time);
        _registry.Open(session);
        return session;
    }

    [Fact]
    public void A_session_idle_past_the_timeout_is_closed_and_one_touched_in_time_is_not()
    {
        var idle = Open("SN-IDLE");
        var busy = Open("SN-BUSY");
        _time.Advance(TimeSpan.FromSeconds(20));
        busy.Touch();
        _time.Advance(TimeSpan.FromSeconds(11));

        _registry.CloseIdle(SessionTimeout, UnansweredRpcTimeout);

        Assert.True(idle.IsClosed);
        Assert.False(busy.IsClosed);
    }

    [Fact]
    public async Task A_session_whose_cpe_sits_on_an_rpc_is_closed_sooner_and_the_rpc_fails()
    {
        var session = Open("SN-SILENT");
        var rpc = new PendingRpc(new GetParameterValues(["Device.A"]));
        Assert.True(session.TryEnqueue(rpc));
        Assert.Same(rpc, session.TryStartNext());

        _time.Advance(TimeSpan.FromSeconds(9));
        _registry.CloseIdle(SessionTimeout, UnansweredRpcTimeout);
        Assert.False(session.IsClosed);

        _time.Advance(TimeSpan.FromSeconds(2));
        _registry.CloseIdle(SessionTimeout, UnansweredRpcTimeout);
        Assert.True(session.IsClosed);
        await Assert.ThrowsAsync<CwmpSessionClosedException>(() => rpc.Result);
    }
}

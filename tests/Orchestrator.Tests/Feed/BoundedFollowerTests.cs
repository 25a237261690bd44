using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Feed;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Feed;

/// <summary>Event followers cost bounded resources: capped in number per caller and in total, and a stalled one is ended.</summary>
public sealed class BoundedFollowerTests : IAsyncLifetime
{
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;
    private OrchestratorFixture _fixture = null!;

    public async Task InitializeAsync()
    {
        _adapter = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(_adapter);
        settings["Feed:MaxStreams"] = "3";
        settings["Feed:MaxStreamsPerCaller"] = "2";
        settings["Feed:SlowFollowerTimeout"] = "00:00:01";
        _system = await SystemUnderTest.StartAsync(settings);
        _fixture = OrchestratorFixture.Over(_adapter, _system);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
    }

    private static async Task<AsyncServerStreamingCall<ProvisioningEvent>> FollowAsync(ProvisioningService.ProvisioningServiceClient client)
    {
        var call = client.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true });
        await call.ResponseHeadersAsync; // admitted (or refused) by now
        return call;
    }

    private static async Task<StatusCode> RefusalAsync(AsyncServerStreamingCall<ProvisioningEvent> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        return error.StatusCode;
    }

    [Fact]
    public async Task Streams_beyond_the_caps_per_caller_and_in_total_are_refused_with_resource_exhausted()
    {
        var operatorClient = new ProvisioningService.ProvisioningServiceClient(_system.Invoker(SystemUnderTest.OperatorKey));
        var admission = _system.Services.GetRequiredService<FeedAdmission>();
        var first = await FollowAsync(operatorClient);
        var second = await FollowAsync(operatorClient);
        await Eventually(() => admission.OpenStreams == 2);

        using (var third = operatorClient.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true }))
            Assert.Equal(StatusCode.ResourceExhausted, await RefusalAsync(third));

        // Another caller still has room, up to the total.
        using var admins = await FollowAsync(_system.Provisioning);
        await Eventually(() => admission.OpenStreams == 3);
        using (var beyondTotal = _system.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true }))
            Assert.Equal(StatusCode.ResourceExhausted, await RefusalAsync(beyondTotal));

        // A follower that leaves gives its slot back.
        first.Dispose();
        await Eventually(() => admission.OpenStreams == 2);
        using var again = await FollowAsync(operatorClient);
        await Eventually(() => admission.OpenStreams == 3);
        second.Dispose();
    }

    [Fact]
    public async Task A_follower_that_stops_reading_is_ended_and_frees_its_slot_while_a_reading_one_keeps_up()
    {
        // Enough events that a follower which reads nothing fills the HTTP/2 window and the server's buffer.
        var serials = new List<string>();
        for (var i = 0; i < 60; i++) serials.Add(await _fixture.RegisterAsync(new DeviceScript()));
        await Task.WhenAll(serials.Select(async s => await _system.WaitForTerminalAsync((await _fixture.ProvisionAsync(s)).Workflow.WorkflowId)));
        var admission = _system.Services.GetRequiredService<FeedAdmission>();

        using var stalled = _system.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true });
        await stalled.ResponseHeadersAsync;
        using var reading = _system.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true });
        var received = 0;
        var reader = Task.Run(async () => { while (await reading.ResponseStream.MoveNext(CancellationToken.None)) Interlocked.Increment(ref received); });

        await Eventually(() => Volatile.Read(ref received) >= 360, TimeSpan.FromSeconds(20)); // the reading one keeps up
        await Eventually(() => admission.OpenStreams == 1, TimeSpan.FromSeconds(20)); // the stalled one was ended
        var ended = await Assert.ThrowsAsync<RpcException>(async () => { while (await stalled.ResponseStream.MoveNext(CancellationToken.None)) { } });
        Assert.Contains(ended.StatusCode, new[] { StatusCode.ResourceExhausted, StatusCode.Cancelled, StatusCode.Internal });
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the condition did not hold in time");
            await Task.Delay(50);
        }
    }
}

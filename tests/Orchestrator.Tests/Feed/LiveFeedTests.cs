using Grpc.Core;
using JasperFx.Events;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Feed;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Orchestrator.Workflows.Events;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Feed;

/// <summary>
/// Live followers share one reader of the log's tail (LiveFeed), each with a small buffer here (Feed:FollowerBuffer=4),
/// so a follower that does not keep up falls behind it and has to catch up from the store.
/// </summary>
public sealed class LiveFeedTests : IAsyncLifetime
{
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;
    private OrchestratorFixture _fixture = null!;
    private EventFeed _feed = null!;

    public async Task InitializeAsync()
    {
        _adapter = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(_adapter);
        settings["Feed:FollowerBuffer"] = "4";
        _system = await SystemUnderTest.StartAsync(settings);
        _fixture = OrchestratorFixture.Over(_adapter, _system);
        _feed = _system.Services.GetRequiredService<EventFeed>();
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
    }

    [Fact]
    public async Task Followers_with_different_filters_each_get_every_matching_event_once_and_in_order()
    {
        var start = await HeadAsync();
        var serials = new List<string>();
        for (var i = 0; i < 3; i++) serials.Add(await _fixture.RegisterAsync(new DeviceScript()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var everything = new Follower(_feed, FeedFilter.All, start, cts.Token);
        var oneDevice = new Follower(_feed, new FeedFilter(null, serials[1]), start, cts.Token);
        await Eventually(() => _feed.Live.Followers == 2);

        var workflows = await Task.WhenAll(serials.Select(async s => (await _fixture.ProvisionAsync(s)).Workflow.WorkflowId));
        var oneWorkflow = new Follower(_feed, new FeedFilter(Guid.Parse(workflows[2]), null), start, cts.Token); // joins mid-way
        foreach (var id in workflows) await _system.WaitForTerminalAsync(id);

        await Eventually(() => everything.Count >= 18 && oneDevice.Count >= 6 && oneWorkflow.Count >= 6);
        await Task.Delay(300); // nothing more may come
        var stored = (await _system.EventsAsync()).Where(e => e.GlobalPosition > start).ToList();
        Assert.Equal(18, stored.Count);
        Assert.Equal(stored.Select(e => e.GlobalPosition), everything.Positions);
        Assert.Equal(stored.Where(e => e.SerialNumber == serials[1]).Select(e => e.GlobalPosition), oneDevice.Positions);
        Assert.Equal(stored.Where(e => e.WorkflowId == workflows[2]).Select(e => e.GlobalPosition), oneWorkflow.Positions);
        Assert.All(oneDevice.Events, e => Assert.Equal(serials[1], ((IWorkflowEvent)e.Data).SerialNumber));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task A_slow_follower_does_not_hold_up_a_fast_one_and_gets_everything_once_it_catches_up()
    {
        var start = await HeadAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var fast = new Follower(_feed, FeedFilter.All, start, cts.Token);
        var slow = new Follower(_feed, FeedFilter.All, start, cts.Token, perEvent: TimeSpan.FromMilliseconds(60));
        await Eventually(() => _feed.Live.Followers == 2);

        var serials = new List<string>();
        for (var i = 0; i < 10; i++) serials.Add(await _fixture.RegisterAsync(new DeviceScript()));
        var workflows = await Task.WhenAll(serials.Select(async s => (await _fixture.ProvisionAsync(s)).Workflow.WorkflowId));
        foreach (var id in workflows) await _system.WaitForTerminalAsync(id);

        // The fast one has all 60 while the slow one (60 ms an event, 4 buffered) is still far from it.
        await Eventually(() => fast.Count >= 60);
        Assert.True(slow.Count < 50, $"the slow follower had {slow.Count} of 60 already");

        await Eventually(() => slow.Count >= 60, TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        var stored = (await _system.EventsAsync()).Where(e => e.GlobalPosition > start).Select(e => e.GlobalPosition).ToList();
        Assert.Equal(60, stored.Count);
        Assert.Equal(stored, fast.Positions);
        Assert.Equal(stored, slow.Positions);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task A_follower_resumed_from_a_position_gets_what_came_after_it_then_the_live_events()
    {
        var start = await HeadAsync();
        for (var i = 0; i < 2; i++)
        {
            var serial = await _fixture.RegisterAsync(new DeviceScript());
            await _system.WaitForTerminalAsync((await _fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        }
        var history = (await _system.EventsAsync()).Where(e => e.GlobalPosition > start).ToList();
        Assert.Equal(12, history.Count);
        var resumeAfter = history[4].GlobalPosition;

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var follower = new Follower(_feed, FeedFilter.All, resumeAfter, cts.Token);
        var later = await _fixture.RegisterAsync(new DeviceScript());
        await _system.WaitForTerminalAsync((await _fixture.ProvisionAsync(later)).Workflow.WorkflowId);

        await Eventually(() => follower.Count >= 13);
        await Task.Delay(300);
        var expected = (await _system.EventsAsync()).Where(e => e.GlobalPosition > resumeAfter).Select(e => e.GlobalPosition).ToList();
        Assert.Equal(13, expected.Count); // 7 of the history, 6 live
        Assert.Equal(expected, follower.Positions);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Cancelling_a_follower_gives_back_its_place_in_the_live_feed_and_its_stream_slot()
    {
        var admission = _system.Services.GetRequiredService<FeedAdmission>();
        using (var cts = new CancellationTokenSource())
        {
            var follower = new Follower(_feed, FeedFilter.All, await HeadAsync(), cts.Token);
            await Eventually(() => _feed.Live.Followers == 1);
            await cts.CancelAsync();
            await follower.Ended;
        }
        await Eventually(() => _feed.Live.Followers == 0);

        var call = _system.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true });
        await call.ResponseHeadersAsync;
        await Eventually(() => _feed.Live.Followers == 1 && admission.OpenStreams == 1);
        call.Dispose(); // the client goes away
        await Eventually(() => _feed.Live.Followers == 0 && admission.OpenStreams == 0);

        // And the feed still serves the next one.
        using var again = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var next = new Follower(_feed, FeedFilter.All, await HeadAsync(), again.Token);
        var serial = await _fixture.RegisterAsync(new DeviceScript());
        await _system.WaitForTerminalAsync((await _fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        await Eventually(() => next.Count >= 6);
        await again.CancelAsync();
    }

    private async Task<long> HeadAsync() => (await _system.EventsAsync()).LastOrDefault()?.GlobalPosition ?? 0;

    private static async Task Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the condition did not hold in time");
            await Task.Delay(20);
        }
    }

    /// <summary>A live follower reading the feed in the orchestrator's process, optionally slowly.</summary>
    private sealed class Follower
    {
        private readonly List<IEvent> _events = [];

        public Follower(EventFeed feed, FeedFilter filter, long after, CancellationToken cancellationToken, TimeSpan? perEvent = null)
        {
            Ended = Task.Run(async () =>
            {
                try
                {
                    await foreach (var e in feed.ReadAsync(filter, after, follow: true, cancellationToken))
                    {
                        lock (_events) _events.Add(e);
                        if (perEvent is { } delay) await Task.Delay(delay, cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
            });
        }

        public Task Ended { get; }

        public int Count
        {
            get { lock (_events) return _events.Count; }
        }

        public List<IEvent> Events
        {
            get { lock (_events) return [.. _events]; }
        }

        public List<long> Positions => Events.Select(e => e.Sequence).ToList();
    }
}

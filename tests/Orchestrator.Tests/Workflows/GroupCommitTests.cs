using System.Diagnostics;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Stored = Provisioning.Orchestrator.Workflows;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>
/// Group commit: appends of workflows ready at the same moment share one transaction. With one commit in flight at a
/// time (Workflow:CommitConcurrency=1) and many workflows finishing a step together, the appends must group, and a
/// group holding one stale append must still end every workflow once, as if each had committed alone.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private const int Workflows = 24;
    private readonly List<Activity> _spans = [];
    private TracerProvider _tracing = null!;
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;
    private OrchestratorFixture _helper = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource("Provisioning.*").AddInMemoryExporter(_spans).Build();
        _adapter = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(_adapter);
        settings["Workflow:CommitConcurrency"] = "1";
        settings["Workflow:PushConfigTimeout"] = "00:00:20";
        _system = await SystemUnderTest.StartAsync(settings);
        _helper = OrchestratorFixture.Over(_adapter, _system);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
        _tracing.Dispose();
    }

    [Fact]
    public async Task Workflows_ready_together_commit_in_groups_and_each_stream_stays_whole()
    {
        var started = (await StartAllAsync(TimeSpan.FromSeconds(1))).Select(s => s.WorkflowId).ToList();
        var ended = await Task.WhenAll(started.Select(id => _system.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60))));

        Assert.All(ended, w => Assert.Equal(WorkflowResult.Success, w.Result));
        foreach (var workflow in ended)
        {
            var events = await _system.EventsAsync(workflow.WorkflowId);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.StreamVersion));
            Assert.Single(events, e => e.EventType == "provisioning_succeeded");
        }
        // A commit span links the workflows it carried: at least one carried several of these.
        var ours = ended.Select(w => w.TraceId).ToHashSet();
        var groups = Snapshot().Where(s => s.OperationName == "cpe.workflow.commit")
            .Select(s => s.Links.Count(l => ours.Contains(l.Context.TraceId.ToHexString()))).ToList();
        Assert.Contains(groups, carried => carried > 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_group_holding_a_stale_append_writes_nothing_and_every_workflow_still_ends_once(bool versioned)
    {
        var all = await StartAllAsync(TimeSpan.FromSeconds(2));
        var started = all.Select(s => s.WorkflowId).ToList();
        var serials = all.Select(s => s.Serial).ToList();
        foreach (var serial in serials) await _system.WaitForDeviceWorkflowAsync(serial, w => w.CurrentStep == WorkflowStep.PushConfig);

        // Another writer moves one stream on while its driver is in the push: that driver's next append is stale.
        var stale = started[Workflows / 2];
        await using (var session = _system.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            var summary = await session.LoadAsync<Stored.WorkflowSummary>(Guid.Parse(stale));
            var resumed = new Stored.Events.WorkflowResumed(summary!.SerialNumber, Stored.WorkflowStep.PushConfig, "another-writer",
                new Stored.Events.TraceRef(summary.TraceId, summary.RootSpanId), new Stored.Events.TraceRef(summary.TraceId, summary.RootSpanId));
            // At the version it read, as every writer of a workflow stream does; or without one, which leaves the
            // projected summary at a version that is not the stream's: the driver must not conflict with it for ever.
            if (versioned) session.Events.Append(summary.Id, summary.Version + 1, resumed);
            else session.Events.Append(summary.Id, resumed);
            await session.SaveChangesAsync();
        }

        var ended = await Task.WhenAll(started.Select(id => _system.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60))));
        Assert.All(ended, w => Assert.Equal(WorkflowResult.Success, w.Result));
        foreach (var workflow in ended)
        {
            var events = await _system.EventsAsync(workflow.WorkflowId);
            Assert.Single(events, e => e.EventType == "provisioning_succeeded");
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.StreamVersion));
        }
        // The stale one decided again on what was stored (and pushed again); every other pushed once.
        var staleSerial = ended.Single(w => w.WorkflowId == stale).Device.SerialNumber;
        Assert.Equal(2, _adapter.Devices[staleSerial].PushCount);
        Assert.All(serials.Where(s => s != staleSerial), s => Assert.Equal(1, _adapter.Devices[s].PushCount));
    }

    private async Task<List<(string Serial, string WorkflowId)>> StartAllAsync(TimeSpan pushDelay)
    {
        var serials = new List<string>();
        for (var i = 0; i < Workflows; i++) serials.Add(await _helper.RegisterAsync(new DeviceScript { PushDelay = pushDelay }));
        var started = await Task.WhenAll(serials.Select(s => _helper.ProvisionAsync(s)));
        return [.. serials.Zip(started, (serial, s) => (serial, s.Workflow.WorkflowId))];
    }

    private List<Activity> Snapshot()
    {
        _tracing.ForceFlush();
        lock (_spans) return [.. _spans];
    }
}

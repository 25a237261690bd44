using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using WorkflowResult = Provisioning.Contracts.Northbound.WorkflowResult;
using WorkflowStep = Provisioning.Contracts.Northbound.WorkflowStep;
using DeviceHistory = Provisioning.Orchestrator.Devices.DeviceHistory;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Reports;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Orchestrator.Workflows;
using System.Text.Json;

namespace Provisioning.Orchestrator.Tests.Feed;

[Collection(nameof(OrchestratorCollection))]
public sealed class ProjectionTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task History_and_failure_report_follow_the_events_and_a_rebuild_gives_the_same_projections()
    {
        var good = await fixture.RegisterAsync(new DeviceScript());
        var bad = await fixture.RegisterAsync(new DeviceScript { NotApplied = ["Device.WiFi.SSID.1.SSID"], Model = "BadModel-" + Guid.NewGuid().ToString("N")[..4] });
        var ok = await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(good)).Workflow.WorkflowId);
        var failed = await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(bad)).Workflow.WorkflowId);

        var store = fixture.System.Services.GetRequiredService<IDocumentStore>();
        await fixture.System.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var history = await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = bad });
        var entry = Assert.Single(history.Entries);
        Assert.Equal(failed.WorkflowId, entry.WorkflowId);
        Assert.Equal(WorkflowResult.VerificationFailed, entry.Result);
        Assert.Equal(failed.TraceId, entry.TraceId);

        var report = await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest());
        var row = Assert.Single(report.Rows, r => r.Model == failed.Model);
        Assert.Equal(WorkflowStep.Verify, row.Step);
        Assert.Equal(WorkflowResult.VerificationFailed, row.Result);
        Assert.Equal("gold", row.ServicePlan);
        Assert.Equal(1, row.Count);

        var before = await SnapshotAsync(store);
        var rebuilt = await fixture.System.Inventory.RebuildProjectionsAsync(new RebuildProjectionsRequest());
        Assert.True(rebuilt.EventsProcessed >= 11, $"events processed: {rebuilt.EventsProcessed}");
        var after = await SnapshotAsync(store);
        Assert.Equal(before, after);
        Assert.Contains(ok.WorkflowId, after);

        // The async projections keep following new events after a rebuild (the running daemon was paused, not lost).
        var later = await fixture.RegisterAsync(new DeviceScript { NotApplied = ["Device.WiFi.SSID.1.SSID"], Model = failed.Model });
        await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(later)).Workflow.WorkflowId);
        await fixture.System.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var grown = await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest());
        Assert.Equal(2, Assert.Single(grown.Rows, r => r.Model == failed.Model).Count);
        Assert.Single((await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = later })).Entries);
    }

    private static async Task<string> SnapshotAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var workflows = (await session.Query<WorkflowSummary>().ToListAsync()).OrderBy(w => w.Id);
        var histories = (await session.Query<DeviceHistory>().ToListAsync()).OrderBy(h => h.Id)
            .Select(h => new { h.Id, Entries = h.Entries.OrderBy(e => e.WorkflowId).ToList() });
        var failures = (await session.Query<FailureStatistic>().ToListAsync()).OrderBy(f => f.Id);
        return JsonSerializer.Serialize(new { workflows, histories, failures });
    }
}

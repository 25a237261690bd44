using JasperFx;
using Marten;
using Marten.Events;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.ScaleOut;

/// <summary>
/// Marten's HotCold daemon on two orchestrator instances over one database (Store:ProjectionDaemon=Elected): each
/// async projection runs in exactly one instance, counts every event once, and moves to the other instance when
/// its own stops; a rebuild through either instance leaves them so.
/// </summary>
public sealed class ProjectionFailoverTests : TwoInstanceSystem
{
    // Device history and failure statistics.
    private const int AsyncProjections = 2;

    [Fact]
    public async Task Each_async_projection_runs_in_one_instance_counts_every_event_once_and_moves_when_that_instance_stops()
    {
        var model = "Failover-" + Guid.NewGuid().ToString("N")[..6];
        var devices = await FailVerificationAsync(First, model, 3);
        await First.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, await FailuresOfAsync(Second, model));

        // Every async projection has one home: running in one instance, not in both.
        IReadOnlyCollection<string> onFirst = [], onSecond = [];
        await WaitUntilAsync(() =>
        {
            (onFirst, onSecond) = (Running(First), Running(Second));
            return onFirst.Union(onSecond).Count() == AsyncProjections;
        });
        Assert.Empty(onFirst.Intersect(onSecond));

        // The instance running most of them stops; the other one takes over every async projection.
        var (active, standby) = onFirst.Count >= onSecond.Count ? (First, Second) : (Second, First);
        await active.StopOrchestratorAsync();
        await WaitUntilAsync(() => Running(standby).Count == AsyncProjections);

        devices.AddRange(await FailVerificationAsync(standby, model, 2));
        await standby.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5, await FailuresOfAsync(standby, model));
        foreach (var serial in devices)
        {
            var history = await standby.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
            Assert.Single(history.Entries);
        }
    }

    [Fact]
    public async Task A_rebuild_through_either_instance_counts_every_event_once_and_the_projections_keep_following()
    {
        var model = "Rebuilt-" + Guid.NewGuid().ToString("N")[..6];
        var devices = await FailVerificationAsync(First, model, 2);
        await First.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => Running(First).Union(Running(Second)).Count() == AsyncProjections);

        foreach (var through in new[] { Second, First })
        {
            await through.Inventory.RebuildProjectionsAsync(new RebuildProjectionsRequest());
            Assert.Equal(2, await FailuresOfAsync(First, model));
        }

        // The paused share of the daemon runs again, and the share in the other instance never stopped.
        devices.AddRange(await FailVerificationAsync(Second, model, 1));
        await Second.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, await FailuresOfAsync(Second, model));
        foreach (var serial in devices)
        {
            var history = await First.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
            Assert.Single(history.Entries);
        }
    }

    /// <summary>The async projections whose agent runs in this instance now.</summary>
    private static IReadOnlyCollection<string> Running(SystemUnderTest system) =>
        system.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase().CurrentAgents()
            .Where(agent => agent.Status == AgentStatus.Running)
            .Select(agent => agent.Name.Name)
            .ToHashSet();

    private async Task<List<string>> FailVerificationAsync(SystemUnderTest system, string model, int count)
    {
        var helpers = OrchestratorFixture.Over(Adapter, system);
        var serials = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var serial = await helpers.RegisterAsync(new DeviceScript { NotApplied = ["Device.WiFi.SSID.1.SSID"], Model = model });
            var workflow = await system.WaitForTerminalAsync((await helpers.ProvisionAsync(serial)).Workflow.WorkflowId);
            Assert.Equal(WorkflowResult.VerificationFailed, workflow.Result);
            serials.Add(serial);
        }
        return serials;
    }

    private static async Task<long> FailuresOfAsync(SystemUnderTest system, string model) =>
        (await system.Provisioning.GetFailureReportAsync(new GetFailureReportRequest())).Rows.Where(r => r.Model == model).Sum(r => (long)r.Count);

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.TrueAsync(condition, "the async projections settled on the instances", TimeSpan.FromSeconds(30));
}

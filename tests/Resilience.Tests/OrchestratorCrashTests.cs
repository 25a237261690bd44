using Provisioning.Contracts.Northbound;

namespace Provisioning.Resilience.Tests;

/// <summary>The orchestrator process killed with SIGKILL during a bootstrap storm, twice, and restarted each time.</summary>
public sealed class OrchestratorCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Every_accepted_workflow_ends_and_no_event_is_lost_or_duplicated_across_two_sigkills()
    {
        await using var environment = await StormEnvironment.CreateAsync("crash");
        await using var orchestrator = new HostProcess("Provisioning.Launcher", environment.Settings);
        orchestrator.Start();
        await environment.WaitReadyAsync(TimeSpan.FromSeconds(120), orchestrator);
        var cpes = await environment.RegisterFleetAsync("CRASH", 150);

        var storm = StormEnvironment.BootstrapWithRetriesAsync(cpes, TimeSpan.FromSeconds(120));
        for (var kill = 0; kill < 2; kill++)
        {
            var inFlight = await environment.WaitForWorkflowsInFlightAsync(10, TimeSpan.FromSeconds(30));
            var accepted = (await environment.WorkflowsAsync()).Count;
            orchestrator.Kill();
            output.WriteLine($"kill {kill + 1}: {accepted} workflows accepted, {inFlight} in flight");
            orchestrator.Start();
            await environment.WaitReadyAsync(TimeSpan.FromSeconds(120), orchestrator);
        }
        var failedSessions = await storm;

        var workflows = await environment.WaitAllTerminalAsync(TimeSpan.FromSeconds(90));
        var events = await environment.AllEventsAsync();
        var results = workflows.GroupBy(w => w.Result).ToDictionary(g => g.Key, g => g.Count());
        foreach (var failed in workflows.Where(w => w.Result != WorkflowResult.Success).Take(10))
            output.WriteLine($"  {failed.Device.SerialNumber} {failed.WorkflowId} {failed.Result} at {failed.FailedStep}: {failed.FailureReason}");
        output.WriteLine($"devices {cpes.Count}, CPE sessions retried {failedSessions}, workflows {workflows.Count}, " +
                         $"terminal {workflows.Count(w => w.State != WorkflowState.Running)}, events {events.Count}, results: " +
                         string.Join(", ", results.Select(r => $"{r.Key}={r.Value}")));

        Assert.All(workflows, w => Assert.NotEqual(WorkflowState.Running, w.State));
        StormEnvironment.AssertStreamsIntact(events, workflows);
        Assert.Contains(events, e => e.EventType == "workflow_resumed");
        // Every device ends provisioned: a workflow interrupted by a crash is resumed, a CPE whose session broke re-informs.
        foreach (var cpe in cpes)
        {
            Assert.Contains(workflows, w => w.Device.SerialNumber == cpe.SerialNumber && w.Result == WorkflowResult.Success);
        }
    }
}

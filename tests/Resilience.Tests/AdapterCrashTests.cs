using Provisioning.Contracts.Northbound;

namespace Provisioning.Resilience.Tests;

/// <summary>The ACS, running as its own process, SIGKILLed while it holds sessions for running workflows.</summary>
public sealed class AdapterCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Workflows_whose_ACS_dies_mid_session_end_terminally_and_devices_are_provisioned_after_it_returns()
    {
        await using var environment = await StormEnvironment.CreateAsync("acscrash");
        // The production orchestrator: the ACS is a process of its own, which this test kills.
        await using var orchestrator = new HostProcess("Provisioning.Orchestrator", environment.Settings);
        await using var acs = new HostProcess("Provisioning.Southbound.Cwmp", environment.Settings);
        orchestrator.Start();
        acs.Start();
        await environment.WaitReadyAsync(TimeSpan.FromSeconds(120), orchestrator);
        var cpes = await environment.RegisterFleetAsync("ACSKILL", 60);

        var storm = StormEnvironment.BootstrapWithRetriesAsync(cpes, TimeSpan.FromSeconds(90));
        var inFlight = await environment.WaitForWorkflowsInFlightAsync(10, TimeSpan.FromSeconds(30));
        acs.Kill();
        output.WriteLine($"ACS killed with {inFlight} workflow(s) in flight");
        await Task.Delay(TimeSpan.FromSeconds(2));
        acs.Start();
        var retried = await storm;

        var workflows = await environment.WaitAllTerminalAsync(TimeSpan.FromSeconds(90));
        var events = await environment.AllEventsAsync();
        output.WriteLine($"devices {cpes.Count}, CPE sessions retried {retried}, workflows {workflows.Count}, events {events.Count}, results: " +
                         string.Join(", ", workflows.GroupBy(w => w.Result).Select(g => $"{g.Key}={g.Count()} ({g.First().FailureReason})")));

        Assert.All(workflows, w => Assert.NotEqual(WorkflowState.Running, w.State));
        StormEnvironment.AssertStreamsIntact(events, workflows);
        var provisioned = workflows.Where(w => w.Result == WorkflowResult.Success).Select(w => w.Device.SerialNumber).ToHashSet();
        Assert.All(cpes, c => Assert.Contains(c.SerialNumber, provisioned));
    }
}

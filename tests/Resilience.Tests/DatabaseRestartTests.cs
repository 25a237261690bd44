using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Resilience.Tests;

/// <summary>PostgreSQL restarted in the middle of a bootstrap storm: the orchestrator recovers without being restarted.</summary>
public sealed class DatabaseRestartTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_database_restart_mid_storm_is_survived_by_the_running_orchestrator()
    {
        await using var environment = await StormEnvironment.CreateAsync("pgrestart");
        var postgres = PostgresServer.Embedded
            ?? throw new InvalidOperationException("this test restarts the private PostgreSQL cluster; run it without PROVISIONING_TEST_POSTGRES or Docker");
        await using var orchestrator = new HostProcess("Provisioning.Launcher", environment.Settings);
        orchestrator.Start();
        await environment.WaitReadyAsync(TimeSpan.FromSeconds(120), orchestrator);
        var pid = orchestrator.Pid;
        var cpes = await environment.RegisterFleetAsync("PGRST", 100);

        var storm = StormEnvironment.BootstrapWithRetriesAsync(cpes, TimeSpan.FromSeconds(120));
        await environment.WaitForWorkflowsInFlightAsync(10, TimeSpan.FromSeconds(30));
        var before = (await environment.WorkflowsAsync()).Count;
        await postgres.RestartAsync();
        output.WriteLine($"PostgreSQL restarted after {before} workflows were accepted");
        var failedSessions = await storm;

        var workflows = await environment.WaitAllTerminalAsync(TimeSpan.FromSeconds(90));
        var events = await environment.AllEventsAsync();
        output.WriteLine($"devices {cpes.Count}, CPE sessions retried {failedSessions}, workflows {workflows.Count}, events {events.Count}, results: " +
                         string.Join(", ", workflows.GroupBy(w => w.Result).Select(g => $"{g.Key}={g.Count()}")));

        Assert.Equal(pid, orchestrator.Pid); // never restarted
        // Steps caught by the restart ran again in place: no workflow was dropped to wait for a takeover scan.
        Assert.DoesNotContain(orchestrator.Output, line => line.Contains("stopped unexpectedly", StringComparison.Ordinal));
        Assert.All(workflows, w => Assert.NotEqual(WorkflowState.Running, w.State));
        StormEnvironment.AssertStreamsIntact(events, workflows);
        foreach (var cpe in cpes)
        {
            Assert.Contains(workflows, w => w.Device.SerialNumber == cpe.SerialNumber && w.Result == WorkflowResult.Success);
        }
    }
}

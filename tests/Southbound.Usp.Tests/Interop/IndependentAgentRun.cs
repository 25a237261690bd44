using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.EndToEnd;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>One independent agent provisioned zero-touch over whichever MTP <c>start</c> uses, and what it reported.</summary>
internal static class IndependentAgentRun
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    /// <summary>Registers a new device, starts its agent, waits for its first workflow to end; the agent must exit 0.</summary>
    public static async Task<(Workflow Workflow, AgentReport Report)> ProvisionAsync(
        UspSystemFixture fixture, string serialPrefix, string variant, Func<string, IndependentAgentProcess> start)
    {
        var serial = fixture.NewSerial(serialPrefix);
        await fixture.RegisterAsync(serial);
        await using var agent = start(serial);
        Workflow workflow;
        try
        {
            workflow = await FirstTerminalAsync(fixture, serial);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"variant {variant}: no terminal workflow; agent {await agent.StopAsync()}");
        }
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, $"variant {variant}: {report}");
        return (workflow, report);
    }

    public static Task<Workflow> FirstTerminalAsync(UspSystemFixture fixture, string serial) =>
        fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

    /// <summary>A registered agent, provisioned and left connected: the witness that another agent's garbage disturbs nobody.</summary>
    public static async Task<IndependentAgentProcess> ProvisionedBystanderAsync(
        UspSystemFixture fixture, string serialPrefix, Func<string, string[], IndependentAgentProcess> start)
    {
        var serial = fixture.NewSerial(serialPrefix);
        await fixture.RegisterAsync(serial);
        var bystander = start(serial, ["--greeting", "connect"]);
        try
        {
            Assert.Equal(WorkflowResult.Success, (await FirstTerminalAsync(fixture, serial)).Result);
            return bystander;
        }
        catch
        {
            await bystander.DisposeAsync();
            throw;
        }
    }

    /// <summary>A registered device whose agent sends garbage instead of greeting, stopped before the controller would contact it.</summary>
    public static async Task<(string Serial, AgentReport Report)> GarbageAsync(
        UspSystemFixture fixture, string serialPrefix, string garbage, Func<string, string[], IndependentAgentProcess> start)
    {
        var serial = fixture.NewSerial(serialPrefix);
        await fixture.RegisterAsync(serial);
        await using var hostile = start(serial, ["--greeting", "silent", "--garbage", garbage]);
        // Less than the silent-agent contact delay (3 s): whatever happens now is the garbage's doing.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        return (serial, await hostile.StopAsync());
    }

    /// <summary>The controller is unharmed: the same device, behaving, is provisioned; the bystander kept its connection.</summary>
    public static async Task AssertUnharmedAsync(
        UspSystemFixture fixture, string serial, IndependentAgentProcess bystander, Func<string, string[], IndependentAgentProcess> start)
    {
        await using (var again = start(serial, ["--greeting", "connect"]))
        {
            Assert.Equal(WorkflowResult.Success, (await FirstTerminalAsync(fixture, serial)).Result);
            Assert.Equal(0, (await again.StopAsync()).ExitCode);
        }
        Assert.False(bystander.HasExited);
        var bystanderReport = await bystander.StopAsync();
        Assert.Equal(0, bystanderReport.ExitCode);
        Assert.Equal("agent", bystanderReport.ClosedBy);
    }
}

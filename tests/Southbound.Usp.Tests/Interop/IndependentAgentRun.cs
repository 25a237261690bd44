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
}

using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Onboarding;

/// <summary>What the orchestrator needs to tell a factory reset: Boot!'s Cause, and an agent found without its Boot! subscription.</summary>
public sealed class FactoryResetContactTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Boot_with_Cause_LocalFactoryReset_is_reported_with_its_boot_cause()
    {
        var agent = _host.StartAgent("FRESET1");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        await agent.WaitUntilAsync(a => a.Statistics.NotifyResponsesReceived > 0, TimeSpan.FromSeconds(5));

        agent.Reboot("LocalFactoryReset");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Any(r => r.EventCodes.Contains("Boot!")), "Boot! reported");
        var boot = _host.Orchestrator.ReportsOf(agent.EndpointId).First(r => r.EventCodes.Contains("Boot!"));
        Assert.Equal("LocalFactoryReset", boot.BootCause);
        // Reports without a Boot! carry no cause.
        Assert.All(_host.Orchestrator.ReportsOf(agent.EndpointId).Where(r => !r.EventCodes.Contains("Boot!")), r => Assert.Equal("", r.BootCause));
    }

    [Fact]
    public async Task A_Boot_on_a_connection_already_contacted_is_still_reported_with_its_cause()
    {
        var agent = _host.StartAgent("FRESET2");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        await agent.WaitUntilAsync(a => a.Statistics.NotifyResponsesReceived > 0, TimeSpan.FromSeconds(5));
        await Task.Delay(200);

        await agent.SendBootAsync(cause: "RemoteFactoryReset");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Any(r => r.BootCause == "RemoteFactoryReset"), "Boot! reported");
        Assert.Equal(1, agent.Statistics.Connects);
    }

    [Fact]
    public async Task An_agent_found_without_its_Boot_subscription_is_reported_as_missing_it_once()
    {
        var agent = _host.StartAgent("NOSUB1");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        Assert.True(_host.Orchestrator.ReportsOf(agent.EndpointId)[0].BootSubscriptionMissing);
        await agent.WaitUntilAsync(a => a.Statistics.NotifyResponsesReceived > 0, TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        Assert.All(_host.Orchestrator.ReportsOf(agent.EndpointId).Skip(1), r => Assert.False(r.BootSubscriptionMissing));

        // Rebooted with its subscription in place: nothing is missing.
        agent.Reboot();
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.EventCodesOf(agent.EndpointId).Contains("Boot!"), "Boot! reported");
        Assert.False(_host.Orchestrator.ReportsOf(agent.EndpointId).First(r => r.EventCodes.Contains("Boot!")).BootSubscriptionMissing);
    }

    [Fact]
    public async Task An_agent_that_refuses_the_subscription_is_not_reported_as_having_lost_it()
    {
        var agent = _host.StartAgent("NOSUB2", prepare: a => a.InjectError("Device.LocalAgent.Subscription.{i}.ReferenceList", 7019));
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        Assert.False(_host.Orchestrator.ReportsOf(agent.EndpointId)[0].BootSubscriptionMissing);
    }
}

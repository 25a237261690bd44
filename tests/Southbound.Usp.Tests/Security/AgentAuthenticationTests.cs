using System.Diagnostics.Metrics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Security;

/// <summary>Upgrade-time answers for a connection: the HTTP status and Retry-After a refused agent sees.</summary>
internal static class Upgrade
{
    public static async Task<(HttpStatusCode Status, string? RetryAfter, ClientWebSocket? Socket)> TryAsync(Uri controller, string endpointId, string? authorization = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v1.usp");
        socket.Options.CollectHttpResponseDetails = true;
        if (authorization is not null) socket.Options.SetRequestHeader("Authorization", authorization);
        try
        {
            await socket.ConnectAsync(new Uri(controller + "?eid=" + Uri.EscapeDataString(endpointId)), CancellationToken.None);
            return (socket.HttpStatusCode, null, socket);
        }
        catch (WebSocketException)
        {
            var retryAfter = socket.HttpResponseHeaders?.TryGetValue("Retry-After", out var values) == true ? values.FirstOrDefault() : null;
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return (status, retryAfter, null);
        }
    }

    public static string Basic(string endpointId, string secret) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(endpointId + ":" + secret));
}

/// <summary>Agents over plain WebSocket with the default policy: only agents that present their own secret are managed.</summary>
public sealed class AgentSecretTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync(new Dictionary<string, string?> { ["Usp:Auth:AllowUnauthenticatedAgents"] = "false" });
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_right_secret_is_accepted_and_reported_as_AGENT_SECRET_with_the_remote_address()
    {
        var agent = _host.StartAgent("SECRET1", secret: "s3cret:with-colon");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact reported");

        var report = _host.Orchestrator.ReportsOf(agent.EndpointId)[0];
        Assert.Equal(ContactCredential.AgentSecret, report.Credential);
        Assert.Equal("127.0.0.1", report.RemoteAddress);
        Assert.Empty(_host.Orchestrator.RefusalsOf(agent.EndpointId));
    }

    [Fact]
    public async Task A_Bearer_secret_is_accepted_too()
    {
        const string eid = "os::00D09E-BEARER1";
        _host.Orchestrator.RegisterWithSecret(eid, "bearer-secret");
        var (status, _, socket) = await Upgrade.TryAsync(_host.WebSocketUrl, eid, "Bearer bearer-secret");
        using (socket)
        {
            Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
        }
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_before_the_upgrade_and_put_on_record()
    {
        var agent = _host.StartAgent("WRONG1", secret: "not-the-secret", registeredSecret: "the-secret");
        await agent.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Unauthorized, agent.LastRefusal!.Status);
        Assert.NotNull(agent.LastRefusal.RetryAfter);
        Assert.Equal(0, agent.Statistics.Connects);
        Assert.Empty(_host.Orchestrator.ReportsOf(agent.EndpointId));
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.RefusalsOf(agent.EndpointId).Count > 0, "refusal reported");
        var refusal = _host.Orchestrator.RefusalsOf(agent.EndpointId)[0];
        Assert.Equal(RefusalReason.WrongPassword, refusal.Reason);
        Assert.Equal(DeviceProtocol.Usp, refusal.Device.Protocol);
        Assert.DoesNotContain("not-the-secret", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_agents_secret_is_refused()
    {
        _host.Orchestrator.RegisterWithSecret("os::00D09E-VICTIM1", "victim-secret");
        _host.Orchestrator.RegisterWithSecret("os::00D09E-THIEF1", "thief-secret");
        var (status, _, _) = await Upgrade.TryAsync(_host.WebSocketUrl, "os::00D09E-VICTIM1", Upgrade.Basic("os::00D09E-THIEF1", "victim-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.RefusalsOf("os::00D09E-VICTIM1").Any(r => r.Reason == RefusalReason.OtherDevice), "refusal reported");
    }

    [Fact]
    public async Task No_secret_is_refused_by_default_whether_or_not_one_is_registered()
    {
        var withSecret = _host.StartAgent("NOSECRET1", registeredSecret: "registered");
        var withoutSecret = _host.StartAgent("NOSECRET2");
        await withSecret.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(5));
        await withoutSecret.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Unauthorized, withSecret.LastRefusal!.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutSecret.LastRefusal!.Status);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.RefusalsOf(withoutSecret.EndpointId).Count > 0, "refusal reported");
        Assert.Equal(RefusalReason.NotAuthenticated, _host.Orchestrator.RefusalsOf(withoutSecret.EndpointId)[0].Reason);
        Assert.Empty(_host.Orchestrator.ReportsOf(withSecret.EndpointId));
        Assert.Empty(_host.Orchestrator.ReportsOf(withoutSecret.EndpointId));
    }

    [Fact]
    public async Task An_impostor_without_the_secret_is_refused_and_the_real_agent_keeps_its_connection_and_receives_its_Set()
    {
        var real = _host.StartAgent("VICTIM2", secret: "real-secret");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(real.EndpointId).Count > 0, "first contact");

        var (none, noneRetry, _) = await Upgrade.TryAsync(_host.WebSocketUrl, real.EndpointId);
        var (wrong, _, _) = await Upgrade.TryAsync(_host.WebSocketUrl, real.EndpointId, Upgrade.Basic(real.EndpointId, "guess"));

        Assert.Equal(HttpStatusCode.Unauthorized, none);
        Assert.NotNull(noneRetry);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        await RealAgentStillServedAsync(_host, real);
    }

    [Fact]
    public async Task Refusals_are_counted_by_reason()
    {
        var counted = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Telemetry.UspTelemetry.Name && instrument.Name == "usp.contacts.refused") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "reason") counted.Add((string)tag.Value!);
        });
        listener.Start();

        await Upgrade.TryAsync(_host.WebSocketUrl, "os::00D09E-NOBODY9");
        Assert.Contains("unknown_device", counted);
    }

    [Fact]
    public async Task An_orchestrator_outage_answers_503_with_Retry_After_and_puts_nothing_on_record()
    {
        _host.Orchestrator.RegisterWithSecret("os::00D09E-AWAY1", "away");
        _host.Orchestrator.Unavailable = true;
        var (status, retryAfter, _) = await Upgrade.TryAsync(_host.WebSocketUrl, "os::00D09E-AWAY1", Upgrade.Basic("os::00D09E-AWAY1", "away"));
        _host.Orchestrator.Unavailable = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("10", retryAfter);
        // The outage is not cached: the agent gets in as soon as the orchestrator answers.
        var (again, _, socket) = await Upgrade.TryAsync(_host.WebSocketUrl, "os::00D09E-AWAY1", Upgrade.Basic("os::00D09E-AWAY1", "away"));
        using (socket) Assert.Equal(HttpStatusCode.SwitchingProtocols, again);
        Assert.Empty(_host.Orchestrator.RefusalsOf("os::00D09E-AWAY1"));
    }

    /// <summary>The real agent was not closed, and what is meant for it (a Set) reaches it.</summary>
    internal static async Task RealAgentStillServedAsync(UspTestHost host, Simulators.Usp.Agents.SimulatedUspAgent real)
    {
        Assert.True(real.IsConnected);
        Assert.Equal(1, real.Statistics.Connects);
        Assert.Null(real.LastCloseStatus);
        var push = new PushConfigRequest { Device = new DeviceRef { EndpointId = real.EndpointId, Protocol = DeviceProtocol.Usp }, WorkflowId = "wf-impostor" };
        push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.1.SSID", Value = "only-for-the-real-agent", Type = ParameterType.String });
        var response = await host.Adapter.PushConfigAsync(push, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Null(response.Failure);
        Assert.Equal("only-for-the-real-agent", real.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.Equal(1, real.Statistics.Connects);
    }
}

/// <summary>Unauthenticated agents allowed (the explicit setting): still no newcomer displaces a connected agent.</summary>
public sealed class UnauthenticatedAgentTests : IAsyncLifetime
{
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync(new Dictionary<string, string?> { ["Usp:Auth:AllowUnauthenticatedAgents"] = "true" });
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_agent_without_a_secret_is_accepted_with_the_explicit_setting_and_reported_unauthenticated()
    {
        var agent = _host.StartAgent("OPEN1");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact reported");
        Assert.Equal(ContactCredential.Unspecified, _host.Orchestrator.ReportsOf(agent.EndpointId)[0].Credential);
    }

    [Fact]
    public async Task An_impostor_with_the_eid_of_a_connected_agent_is_refused_with_409_and_the_real_agent_keeps_its_connection_and_receives_its_Set()
    {
        var real = _host.StartAgent("REAL1");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(real.EndpointId).Count > 0, "first contact");

        var impostor = _host.StartAgent("REAL1", identity: new AgentIdentity("REAL1"));
        await impostor.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.Conflict, impostor.LastRefusal!.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), impostor.LastRefusal.RetryAfter);
        Assert.Equal(0, impostor.Statistics.Connects);

        await AgentSecretTests.RealAgentStillServedAsync(_host, real);
        Assert.Equal(0, impostor.Statistics.Requests);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.RefusalsOf(real.EndpointId).Any(r => r.Reason == RefusalReason.NotAuthenticated), "impostor on record");
    }

    [Fact]
    public async Task An_agent_that_authenticates_replaces_its_own_older_connection()
    {
        var first = _host.StartAgent("OWNER1", secret: "owner-secret");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(first.EndpointId).Count > 0, "first contact");
        var (status, _, socket) = await Upgrade.TryAsync(_host.WebSocketUrl, first.EndpointId, Upgrade.Basic(first.EndpointId, "owner-secret"));
        using (socket)
        {
            Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
            await first.WaitUntilAsync(a => a.LastCloseStatus is not null, TimeSpan.FromSeconds(5));
        }
    }
}

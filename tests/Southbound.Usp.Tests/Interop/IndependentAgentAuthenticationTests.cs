using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// tests/Interop/usp_agent.py proving who it is (its secret at the upgrade, a client certificate over wss), coming back
/// from a factory reset, and posing as a connected agent; against the controller with the stand-in orchestrator, whose
/// inventory holds agent secrets the way the contract says (the real orchestrator's side is not merged yet).
/// </summary>
public sealed class IndependentAgentAuthenticationTests : IAsyncLifetime
{
    private readonly AgentPki _pki = new();
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync(new Dictionary<string, string?> { ["Usp:Auth:AllowUnauthenticatedAgents"] = "false" });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _pki.Dispose();
    }

    private static IndependentAgentProcess Start(UspTestHost host, string serial, params string[] flags) =>
        IndependentAgentProcess.Start(host.WebSocketUrl, UspTestHost.ControllerId, "os::00D09E-" + serial, serial, flags);

    [Fact]
    public async Task An_independent_agent_with_its_secret_is_admitted_and_reported_as_AGENT_SECRET()
    {
        _host.Orchestrator.RegisterWithSecret("os::00D09E-PYSEC1", "py-secret");
        await using var agent = Start(_host, "PYSEC1", "--greeting", "connect", "--secret", "py-secret");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf("os::00D09E-PYSEC1").Count > 0, "contact reported", TimeSpan.FromSeconds(15));

        Assert.Equal(ContactCredential.AgentSecret, _host.Orchestrator.ReportsOf("os::00D09E-PYSEC1")[0].Credential);
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, report.ToString());
    }

    [Fact]
    public async Task An_independent_agent_with_a_wrong_secret_is_refused_with_401_and_Retry_After()
    {
        _host.Orchestrator.RegisterWithSecret("os::00D09E-PYSEC2", "py-secret");
        await using var agent = Start(_host, "PYSEC2", "--greeting", "connect", "--secret", "wrong", "--expect-refusal");
        var report = await agent.ExitedAsync(TimeSpan.FromSeconds(15));

        // Exit 0: the refusal carried WWW-Authenticate as RFC 7235 wants.
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal(401, report.Get("handshake_status"));
        Assert.Equal(60, report.Get("retry_after"));
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.RefusalsOf("os::00D09E-PYSEC2").Any(r => r.Reason == RefusalReason.WrongPassword), "refusal reported");
    }

    [Fact]
    public async Task An_independent_impostor_of_a_connected_agent_is_refused_and_the_agent_keeps_its_connection()
    {
        var real = _host.StartAgent("PYREAL1", secret: "real-secret");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(real.EndpointId).Count > 0, "first contact");

        await using var impostor = IndependentAgentProcess.Start(_host.WebSocketUrl, UspTestHost.ControllerId, real.EndpointId, "PYREAL1", "--greeting", "connect", "--impostor");
        var report = await impostor.ExitedAsync(TimeSpan.FromSeconds(15));

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal(401, report.Get("handshake_status"));
        await Security.AgentSecretTests.RealAgentStillServedAsync(_host, real);
    }

    [Fact]
    public async Task An_independent_agent_back_from_a_factory_reset_is_reported_with_its_cause_and_lost_subscription()
    {
        _host.Orchestrator.RegisterWithSecret("os::00D09E-PYRESET1", "reset-secret");
        await using var agent = Start(_host, "PYRESET1", "--greeting", "boot", "--factory-reset", "--secret", "reset-secret");
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf("os::00D09E-PYRESET1").Any(r => r.EventCodes.Contains("Boot!")), "Boot! reported", TimeSpan.FromSeconds(15));

        var boot = _host.Orchestrator.ReportsOf("os::00D09E-PYRESET1").First(r => r.EventCodes.Contains("Boot!"));
        Assert.Equal("LocalFactoryReset", boot.BootCause);
        Assert.True(boot.BootSubscriptionMissing);
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains(report.DataModel, p => p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal) && p.Value == "Device.Boot!");
    }
}

/// <summary>The independent agent over wss:// with a client certificate bound to its endpoint ID.</summary>
public sealed class IndependentAgentCertificateTests : IAsyncLifetime
{
    private readonly AgentPki _pki = new();
    private UspTestHost _host = null!;

    public async Task InitializeAsync() => _host = await UspTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Usp:Tls:CertificatePath"] = _pki.ServerCertificatePath,
        ["Usp:Tls:KeyPath"] = _pki.ServerKeyPath,
        ["Usp:Auth:ClientCaPath"] = _pki.CaPath,
        ["Usp:Auth:AllowUnauthenticatedAgents"] = "false",
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _pki.Dispose();
    }

    [Theory]
    [InlineData("PYCERT1", "os::00D09E-PYCERT1", true)]
    [InlineData("PYCERT2", "os::00D09E-SOMEBODY-ELSE", false)]
    public async Task A_client_certificate_admits_only_the_agent_it_names(string serial, string certifiedEid, bool admitted)
    {
        var eid = "os::00D09E-" + serial;
        _host.Orchestrator.Registered[eid] = true;
        var (certificate, key) = _pki.AgentCertificateFiles(certifiedEid, serial);
        string[] flags = ["--greeting", "connect", "--cert", certificate, "--key", key, "--ca", _pki.CaPath, .. admitted ? Array.Empty<string>() : ["--expect-refusal"]];
        await using var agent = IndependentAgentProcess.Start(_host.WebSocketUrl, UspTestHost.ControllerId, eid, serial, flags);

        if (admitted)
        {
            await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(eid).Count > 0, "contact reported", TimeSpan.FromSeconds(15));
            Assert.Equal(ContactCredential.Certificate, _host.Orchestrator.ReportsOf(eid)[0].Credential);
            var report = await agent.StopAsync();
            Assert.True(report.ExitCode == 0, report.ToString());
        }
        else
        {
            var report = await agent.ExitedAsync(TimeSpan.FromSeconds(15));
            Assert.True(report.ExitCode == 0, report.ToString());
            Assert.Equal(403, report.Get("handshake_status"));
            Assert.Empty(_host.Orchestrator.ReportsOf(eid));
        }
    }
}

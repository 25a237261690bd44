using System.Net;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Security;

/// <summary>WSS with agents' client certificates (TR-369 R-SEC.4): bound to the endpoint ID in a SAN URI.</summary>
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private readonly AgentPki _pki = new();
    private readonly AgentPki _strangers = new("Stranger CA");
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
        _strangers.Dispose();
    }

    [Fact]
    public async Task A_certificate_bound_to_the_endpoint_id_is_accepted_over_WSS_and_reported_as_CERTIFICATE()
    {
        var eid = new Simulators.Usp.DataModel.AgentIdentity("CERT1").EndpointId;
        var agent = _host.StartAgent("CERT1", certificate: _pki.AgentCertificate(eid), serverCa: _pki.Ca);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact reported; agent: " + agent.LastConnectError);
        Assert.Equal(ContactCredential.Certificate, _host.Orchestrator.ReportsOf(agent.EndpointId)[0].Credential);
    }

    [Fact]
    public async Task A_certificate_for_another_endpoint_id_is_refused_and_put_on_record()
    {
        var agent = _host.StartAgent("CERT2", certificate: _pki.AgentCertificate("os::00D09E-SOMEONE-ELSE"), serverCa: _pki.Ca);
        await agent.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Forbidden, agent.LastRefusal!.Status);
        Assert.Equal(0, agent.Statistics.Connects);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.RefusalsOf(agent.EndpointId).Count > 0, "refusal reported");
        Assert.Equal(RefusalReason.OtherDevice, _host.Orchestrator.RefusalsOf(agent.EndpointId)[0].Reason);
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_CA_proves_nothing()
    {
        var eid = new Simulators.Usp.DataModel.AgentIdentity("CERT3").EndpointId;
        var agent = _host.StartAgent("CERT3", certificate: _strangers.AgentCertificate(eid), serverCa: _pki.Ca);
        await agent.WaitUntilAsync(a => a.LastRefusal is not null, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.Unauthorized, agent.LastRefusal!.Status);
        Assert.Empty(_host.Orchestrator.ReportsOf(agent.EndpointId));
    }

    [Fact]
    public async Task A_certificate_naming_the_endpoint_id_only_as_CN_is_accepted()
    {
        var eid = new Simulators.Usp.DataModel.AgentIdentity("CERT4").EndpointId;
        var agent = _host.StartAgent("CERT4", certificate: _pki.AgentCertificate(eid, inSubjectAltName: false), serverCa: _pki.Ca);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact reported; agent: " + agent.LastConnectError);
        Assert.Equal(ContactCredential.Certificate, _host.Orchestrator.ReportsOf(agent.EndpointId)[0].Credential);
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// The independent CPE (tests/Interop/cwmp_cpe.py) against this ACS and a stand-in orchestrator: Digest nonce counts,
/// a replayed header, a CPE that keeps its old credential and one that is factory reset.
/// </summary>
public sealed class IndependentCpeTrustTests
{
    private static string[] Arguments(AcsHarness h, string serial, string user, string password, params string[] more) =>
    [
        "--acs-url", h.AcsUrl.ToString(), "--serial", serial, "--oui", "00D09E", "--product-class", "SimGateway",
        "--username", user, "--password", password, "--cr-username", "cr-user", "--cr-password", "cr-pass", .. more,
    ];

    [Fact]
    public async Task A_cpe_reusing_one_nonce_with_increasing_counts_across_sessions_keeps_working()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["IND-NC"] = new InventoryEntry("IND-NC", "ind-nc", "ind-nc-pw", Provisioned: true);

        var run = await IndependentCpe.RunAsync(Arguments(h, "IND-NC", "ind-nc", "ind-nc-pw",
            "--event", "1 BOOT", "--reuse-nonce", "--periodic-sessions", "3", "--report-authorization"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(4, run.Sessions.Count);
        // One nonce throughout: the CPE answered one challenge, then counted up.
        var nonces = run.Sessions.Select(s => DigestNonceOf(s.GetProperty("inform_authorization").GetString()!)).Distinct();
        Assert.Single(nonces);
        Assert.Equal(4, h.Orchestrator.Reports.Count);
        Assert.Empty(h.Orchestrator.Refusals);
    }

    [Fact]
    public async Task A_captured_inform_header_replayed_by_an_eavesdropper_is_refused()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["IND-RP"] = new InventoryEntry("IND-RP", "ind-rp", "ind-rp-pw", Provisioned: true);
        var genuine = await IndependentCpe.RunAsync(Arguments(h, "IND-RP", "ind-rp", "ind-rp-pw", "--event", "2 PERIODIC", "--report-authorization"));
        Assert.True(genuine.ExitCode == 0, genuine.ToString());
        var captured = genuine.Sessions[0].GetProperty("inform_authorization").GetString()!;

        var replay = await IndependentCpe.RunAsync(Arguments(h, "IND-RP", "ind-rp", "unknown-to-the-attacker",
            "--event", "0 BOOTSTRAP", "--replay-authorization", captured));

        Assert.Equal(3, replay.ExitCode);
        Assert.Single(h.Orchestrator.Reports);
        await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.Replayed && r.Device.SerialNumber == "IND-RP");
    }

    [Fact]
    public async Task A_cpe_that_keeps_its_old_credential_is_let_in_with_it_while_it_is_offered_as_previous()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:CacheDuration"] = "00:00:00" });
        // The push happened: the inventory has the new credential and offers the old one as previous.
        h.Orchestrator.Inventory["IND-OLD"] = new InventoryEntry("IND-OLD", "new-user", "new-pw", Provisioned: true,
            PreviousUsername: "old-user", PreviousPassword: "old-pw");
        h.Orchestrator.Decide = r => r.EventCodes.Contains("1 BOOT")
            ? new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-old", Registered = true }
            : new DeviceContactDecision { Registered = true };

        await using var cpe = IndependentCpe.Start(Arguments(h, "IND-OLD", "old-user", "old-pw",
            "--event", "1 BOOT", "--keep-old-credential", "--periodic-sessions", "1"));
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "IND-OLD");
        var push = new PushConfigRequest { Device = AcsHarness.Ref("IND-OLD"), WorkflowId = "wf-old", ParameterKey = "cred-1" };
        push.Parameters.Add(new ParameterValue { Name = "Device.ManagementServer.Username", Value = "new-user" });
        push.Parameters.Add(new ParameterValue { Name = "Device.ManagementServer.Password", Value = "new-pw" });
        Assert.Null((await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline(20))).Failure);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("IND-OLD"), WorkflowId = "wf-old" });
        var run = await cpe.WaitAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("new-user", run.Parameter("Device.ManagementServer.Username")); // acknowledged and stored ...
        var periodic = h.Orchestrator.Reports.Single(r => r.EventCodes.Contains("2 PERIODIC"));
        Assert.Equal(ContactCredential.Previous, periodic.Credential);          // ... but it still speaks the old one
    }

    [Fact]
    public async Task A_factory_reset_cpe_comes_back_with_0_bootstrap_and_its_factory_credential()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:CacheDuration"] = "00:05:00" });
        h.Orchestrator.Inventory["IND-FR"] = new InventoryEntry("IND-FR", "own-user", "own-pw");
        h.Orchestrator.Decide = r => r.EventCodes.Contains("0 BOOTSTRAP") && !h.Orchestrator.Inventory["IND-FR"].Provisioned
            ? new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-fr", Registered = true }
            : new DeviceContactDecision { Registered = true };

        await using var cpe = IndependentCpe.Start(Arguments(h, "IND-FR", "bootstrap", "bootstrap", "--factory-reset"));
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "IND-FR");
        var push = new PushConfigRequest { Device = AcsHarness.Ref("IND-FR"), WorkflowId = "wf-fr", ParameterKey = "first" };
        push.Parameters.Add(new ParameterValue { Name = "Device.ManagementServer.Username", Value = "own-user" });
        push.Parameters.Add(new ParameterValue { Name = "Device.ManagementServer.Password", Value = "own-pw" });
        push.Parameters.Add(new ParameterValue { Name = "Device.ManagementServer.ConnectionRequestPassword", Value = "own-cr" });
        Assert.Null((await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline(20))).Failure);
        // Provisioned, and the operator's policy lets a factory-reset device back in with the shared credential.
        h.Orchestrator.Inventory["IND-FR"] = h.Orchestrator.Inventory["IND-FR"] with { Provisioned = true, SharedBootstrapAllowed = true };
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("IND-FR"), WorkflowId = "wf-fr" });
        var run = await cpe.WaitAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["0 BOOTSTRAP", "1 BOOT"], CpeRun.Strings(run.Sessions[1].GetProperty("events")));
        Assert.Equal("bootstrap", run.Parameter("Device.ManagementServer.Username")); // factory values again
        Assert.Equal("cr-pass", run.Parameter("Device.ManagementServer.ConnectionRequestPassword"));
        var again = h.Orchestrator.Reports.Last();
        Assert.Equal(ContactCredential.Bootstrap, again.Credential);
        Assert.Contains("0 BOOTSTRAP", again.EventCodes);
    }

    private static string DigestNonceOf(string header) =>
        Provisioning.Southbound.Cwmp.Authentication.DigestHeader.ParseParameters(header.AsSpan(7))["nonce"];
}

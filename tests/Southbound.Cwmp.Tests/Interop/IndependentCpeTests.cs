using Provisioning.Testing;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Cwmp.Tests.EndToEnd;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// Interoperability: a TR-069 CPE written independently of this code base (tests/Interop/cwmp_cpe.py) is provisioned
/// through the northbound API, the orchestrator and this ACS, in the ways real CPE firmware differs.
/// </summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class IndependentCpeTests(CwmpSystemFixture fixture)
{
    private const string Oui = "A1B2C3";
    private const string ProductClass = "IndieGateway";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    /// <summary>CPE flags per variant (see cwmp_cpe.py --help); each is provisioned zero-touch from its first Inform.</summary>
    private static readonly Dictionary<string, string[]> Variants = new()
    {
        ["conventional"] = [],
        ["SOAP-ENV prefix, cwmp-1-0, text/xml, no cookies (kept-alive connection), NoMoreRequests"] =
            ["--soap-prefix", "SOAP-ENV", "--cwmp-version", "1.0", "--content-type", "text/xml", "--ignore-cookies", "--no-more-requests"],
        ["soapenv prefix, chunked bodies, XML declaration, whitespace, a new connection per request"] =
            ["--soap-prefix", "soapenv", "--chunked", "--xml-declaration", "--pretty", "--new-connection-per-request"],
        ["soap prefix, ns1 for cwmp, no arrayType, no xsi:type, no SOAP Header, SOAPAction with the method"] =
            ["--soap-prefix", "soap", "--cwmp-prefix", "ns1", "--no-array-type", "--no-xsi-type", "--no-header", "--soap-action", "method"],
        ["cwmp in a default namespace, self-closed empty elements, values in CDATA, mustUnderstand=true"] =
            ["--cwmp-prefix", "", "--self-closing", "--cdata-values", "--must-understand-true"],
        ["three events, arrayType sizes off by one, GetRPCMethods, CWMP 1.4 headers, a vendor header"] =
            ["--event", "0 BOOTSTRAP", "--event", "1 BOOT", "--event", "4 VALUE CHANGE", "--value-changed", "Device.DeviceInfo.ProvisioningCode",
             "--array-size-mismatch", "--get-rpc-methods", "--session-timeout", "60", "--supported-versions", "1.0,1.1,1.2,1.3,1.4", "--vendor-header"],
        ["cwmp-1-1, a 40 KB Inform, a byte order mark, a line break before the XML declaration"] =
            ["--cwmp-version", "1.1", "--inform-padding", "160", "--bom", "--leading-newline", "--xml-declaration"],
        ["HTTP/1.0 keep-alive, Expect: 100-continue, RFC 2109 cookies, Content-Type and a CRLF on the empty POST"] =
            ["--http10", "--expect-continue", "--rfc2109-cookies", "--content-type-on-empty-post", "--empty-post-body", "\r\n"],
        ["Digest only on the first request, then the cookie, no SOAPAction, charset without quotes"] =
            ["--auth-once", "--soap-action", "none", "--content-type", "text/xml; charset=utf-8"],
        ["Digest without blanks or algorithm, absolute uri, a fixed nonce count, no cookies"] =
            ["--digest-compact", "--digest-absolute-uri", "--digest-fixed-nc", "--ignore-cookies"],
        ["Basic sent pre-emptively, no cookies, chunked"] = ["--auth", "basic", "--basic-preemptive", "--ignore-cookies", "--chunked"],
        ["Basic after a 401 challenge, own credential"] = ["--auth", "basic", "--own-credential"],
        ["own credential (Digest), an ACS URL with a path"] = ["--own-credential", "--acs-path", "/cwmp/acs"],
        ["a SOAP stack that refuses any message starting with an XML declaration"] = ["--refuse-xml-declaration"],
        ["1 BOOT of a device never provisioned, no time source yet, sessions that failed before"] =
            ["--event", "1 BOOT", "--current-time", "0001-01-01T00:00:00Z", "--retry-count", "3"],
    };

    public static TheoryData<string> VariantNames => [.. Variants.Keys];

    [Theory]
    [MemberData(nameof(VariantNames))]
    public async Task A_bootstrapping_independent_cpe_is_provisioned(string variant)
    {
        var serial = fixture.NewSerial("IND");
        await RegisterAsync(serial);

        var run = await IndependentCpe.RunAsync(Arguments(serial, Variants[variant]));
        Assert.True(run.ExitCode == 0, run.ToString());
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        AssertPlanApplied(run);
        var session = Assert.Single(run.Sessions);
        Assert.Equal(["SetParameterValues", "GetParameterValues"], CpeRun.Strings(session.GetProperty("acs_methods")));
        var requested = (await fixture.System.EventsAsync(workflow.WorkflowId))[0].ProvisioningRequested;
        Assert.Equal(CpeRun.Strings(session.GetProperty("events")), requested.EventCodes);
    }

    [Fact]
    public async Task A_cpe_provisioned_from_the_factory_credential_is_given_its_own_and_informs_with_it_afterwards()
    {
        var serial = fixture.NewSerial("INDK");
        await RegisterAsync(serial);

        var bootstrap = await IndependentCpe.RunAsync(Arguments(serial, []));
        Assert.True(bootstrap.ExitCode == 0, bootstrap.ToString());
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        // The push wrote the inventory's credentials; the event keeps the passwords redacted.
        Assert.Equal("cpe-" + serial, bootstrap.Parameter("Device.ManagementServer.Username"));
        Assert.Equal("pw-" + serial, bootstrap.Parameter("Device.ManagementServer.Password"));
        Assert.Equal("cr-" + serial, bootstrap.Parameter("Device.ManagementServer.ConnectionRequestUsername"));
        Assert.Equal("crpw-" + serial, bootstrap.Parameter("Device.ManagementServer.ConnectionRequestPassword"));
        var pushed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Single(e => e.ConfigPushed is not null).ConfigPushed;
        Assert.Equal("********", pushed.Parameters.Single(p => p.Name == "Device.ManagementServer.Password").Value);

        // Its next session, with what it was given. (Whether the factory credential still opens a session for it is the
        // orchestrator's factory-reset policy, Devices:FactoryReset: see IndependentCpeLifeCycleTests.)
        var periodic = await IndependentCpe.RunAsync(Arguments(serial, ["--own-credential", "--event", "2 PERIODIC"]));

        Assert.True(periodic.ExitCode == 0, periodic.ToString());
    }

    [Fact]
    public async Task An_independent_cpe_that_applies_after_a_reboot_is_rebooted_and_verified_after_it()
    {
        var serial = fixture.NewSerial("INDR");
        await RegisterAsync(serial);

        // Its next session re-uses the challenge of the first (as many CPEs do) rather than waiting for a 401.
        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--apply-after-reboot", "--reuse-nonce"]));
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(2, run.Sessions.Count);
        Assert.Equal(["SetParameterValues", "Reboot"], CpeRun.Strings(run.Sessions[0].GetProperty("acs_methods")));
        Assert.Equal(["1 BOOT", "M Reboot"], CpeRun.Strings(run.Sessions[1].GetProperty("events")));
        Assert.Equal(["GetParameterValues"], CpeRun.Strings(run.Sessions[1].GetProperty("acs_methods")));
        AssertPlanApplied(run);
    }

    [Fact]
    public async Task An_independent_cpe_lacking_an_access_point_gets_it_created_with_add_object()
    {
        var serial = fixture.NewSerial("INDA");
        await RegisterAsync(serial);

        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--strict-instances", "--lacks-instance", "Device.WiFi.AccessPoint.2."]));
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var pushed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed).ConfigPushed;
        var created = Assert.Single(pushed.CreatedInstances);
        Assert.Equal("Device.WiFi.AccessPoint.2.", created.Requested);
        Assert.Equal("wifi-secret-5G", run.Parameter(created.Actual + "Security.KeyPassphrase"));
        Assert.Contains("AddObject", CpeRun.Strings(run.Sessions[0].GetProperty("acs_methods")));
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("opaque")]  // qop="auth,auth-int" and an opaque value to return
    [InlineData("rfc2069")] // no qop
    [InlineData("query")]   // a ConnectionRequestURL with a query string
    [InlineData("broken-http")] // bare LF line endings, folded headers, no blank line after them
    public async Task An_idle_independent_cpe_is_woken_by_a_digest_authenticated_connection_request_and_provisioned(string challenge)
    {
        var serial = fixture.NewSerial("INDC");
        await RegisterAsync(serial);
        var ready = Path.GetTempFileName();
        File.Delete(ready);
        await using var cpe = IndependentCpe.Start(Arguments(serial,
            ["--own-credential", "--event", "2 PERIODIC", "--connection-requests", "1", "--ready-file", ready,
             .. challenge switch { "query" => ["--cr-query"], "broken-http" => ["--cr-broken-http"], _ => new[] { "--cr-challenge", challenge } }]));
        if (!await Eventually.HoldsAsync(() => File.Exists(ready), Patience)) Assert.Fail("the CPE's periodic session did not end: " + await cpe.WaitAsync());

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = Identity(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);
        var run = await cpe.WaitAsync();

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["6 CONNECTION REQUEST"], CpeRun.Strings(run.Sessions[1].GetProperty("events")));
        AssertPlanApplied(run);
        File.Delete(ready);
    }

    [Fact]
    public async Task A_cpe_refusing_every_connection_request_that_comes_by_its_periodic_inform_is_provisioned_as_reached_in_its_own_session()
    {
        var serial = fixture.NewSerial("INDL");
        await RegisterAsync(serial);
        var ready = Path.GetTempFileName();
        File.Delete(ready);
        await using var cpe = IndependentCpe.Start(Arguments(serial,
            ["--own-credential", "--event", "2 PERIODIC", "--cr-refuse-all", "--periodic-inform-after", "2", "--ready-file", ready]));
        if (!await Eventually.HoldsAsync(() => File.Exists(ready), Patience)) Assert.Fail("the CPE's first session did not end: " + await cpe.WaitAsync());

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest { Device = Identity(serial), RequestId = Guid.NewGuid().ToString() });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);
        var run = await cpe.WaitAsync();

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(run.Json.GetProperty("connection_requests_refused").GetInt32() > 0, run.ToString());
        Assert.Equal(["2 PERIODIC"], CpeRun.Strings(run.Sessions[1].GetProperty("events")));
        var authenticated = (await fixture.System.EventsAsync(workflow.WorkflowId)).Single(e => e.DeviceAuthenticated is not null).DeviceAuthenticated;
        Assert.Equal("LiveSession", authenticated.ReachedVia);
        AssertPlanApplied(run);
        File.Delete(ready);
    }

    [Fact]
    public async Task Values_with_xml_special_characters_and_non_ascii_letters_arrive_intact()
    {
        var serial = fixture.NewSerial("INDX");
        var plan = CwmpSystemFixture.Plan("indie-quirky");
        plan.Wifi[0].Ssid = "Café & \"Bar\" <5G> ünï";
        plan.Wifi[0].Key = "k&y<with>'quotes\"";
        await RegisterAsync(serial, plan);

        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--cdata-values"]));
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal("Café & \"Bar\" <5G> ünï", run.Parameter("Device.WiFi.SSID.1.SSID"));
        Assert.Equal("k&y<with>'quotes\"", run.Parameter("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));
    }

    /// <summary>Issue 15.10: an open network takes no key; none is pushed even if the plan still carries one.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("left-over-key")]
    public async Task An_open_network_is_provisioned_without_a_passphrase(string key)
    {
        var serial = fixture.NewSerial("INDO");
        var plan = CwmpSystemFixture.Plan("indie-open-" + (key.Length == 0 ? "nokey" : "key"));
        plan.Wifi[0].SecurityMode = "None";
        plan.Wifi[0].Key = key;
        await RegisterAsync(serial, plan);

        var run = await IndependentCpe.RunAsync(Arguments(serial, []));
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        Assert.Equal("None", run.Parameter("Device.WiFi.AccessPoint.1.Security.ModeEnabled"));
        Assert.Equal("", run.Parameter("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));
        Assert.Equal("wifi-secret-5G", run.Parameter("Device.WiFi.AccessPoint.2.Security.KeyPassphrase"));
    }

    [Fact]
    public async Task A_transfer_complete_is_acknowledged_and_starts_no_provisioning()
    {
        var serial = fixture.NewSerial("INDT");
        await RegisterAsync(serial);

        var run = await IndependentCpe.RunAsync(Arguments(serial,
            ["--own-credential", "--event", "7 TRANSFER COMPLETE", "--event", "M Download", "--transfer-complete", "--get-rpc-methods"]));

        Assert.True(run.ExitCode == 0, run.ToString());
        var session = Assert.Single(run.Sessions);
        Assert.True(session.GetProperty("transfer_complete_acknowledged").GetBoolean());
        Assert.Contains("TransferComplete", CpeRun.Strings(session.GetProperty("acs_rpc_methods")));
        Assert.Empty(CpeRun.Strings(session.GetProperty("acs_methods")));
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Empty(workflows.Workflows);
    }

    [Theory]
    [InlineData("digest")]
    [InlineData("basic")]
    public async Task An_independent_cpe_with_a_wrong_password_gets_401_and_starts_nothing(string scheme)
    {
        var serial = fixture.NewSerial("INDP");
        await RegisterAsync(serial);

        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--username", "cpe-" + serial, "--password", "guess", "--auth", scheme]));

        Assert.True(run.ExitCode == 3, run.ToString()); // 3: the ACS refused the credential with 401
        Assert.Contains("401", run.Json.GetProperty("error").GetString());
        Assert.Equal("Factory-1", run.Parameter("Device.WiFi.SSID.1.SSID"));
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Empty(workflows.Workflows);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("not-xml")]
    [InlineData("not-soap")]
    [InlineData("no-device-id")]
    public async Task A_malformed_envelope_gets_a_clear_error_and_the_acs_serves_the_next_cpe(string malformed)
    {
        var serial = fixture.NewSerial("INDM");
        await RegisterAsync(serial);

        var probe = await IndependentCpe.RunAsync(Arguments(serial, ["--malformed", malformed]));
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        var after = await IndependentCpe.RunAsync(Arguments(serial, []));

        Assert.True(probe.ExitCode == 0, probe.ToString()); // 0: HTTP 400 or a SOAP Fault
        Assert.Empty(workflows.Workflows);
        Assert.True(after.ExitCode == 0, after.ToString());
    }

    private void AssertPlanApplied(CpeRun run)
    {
        Assert.Equal("Home-24", run.Parameter("Device.WiFi.SSID.1.SSID"));
        Assert.Equal("Home-5", run.Parameter("Device.WiFi.SSID.2.SSID"));
        Assert.Equal("true", run.Parameter("Device.WiFi.SSID.1.Enable"));
        Assert.Equal("wifi-secret-24", run.Parameter("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));
        Assert.Equal("WPA2-Personal", run.Parameter("Device.WiFi.AccessPoint.1.Security.ModeEnabled"));
        Assert.Equal("100", run.Parameter("Device.Ethernet.VLANTermination.1.VLANID"));
        Assert.Equal("200", run.Parameter("Device.Ethernet.VLANTermination.2.VLANID"));
        Assert.Equal("sip-secret-1", run.Parameter("Device.Services.VoiceService.1.SIP.Client.1.AuthPassword"));
        Assert.Equal("+3215550101", run.Parameter("Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber"));
        Assert.Equal("3600", run.Parameter("Device.ManagementServer.PeriodicInformInterval"));
        Assert.NotEqual("", run.Json.GetProperty("parameter_key").GetString());
    }

    private string[] Arguments(string serial, string[] variant)
    {
        var own = variant.Contains("--own-credential");
        var path = variant.SkipWhile(a => a != "--acs-path").Skip(1).FirstOrDefault() ?? "/";
        return
        [
            .. IndependentCpeInventory.Arguments(new Uri(fixture.AcsUrl, path), Identity(serial), own),
            .. variant.Where((a, i) => a != "--own-credential" && a != "--acs-path" && (i == 0 || variant[i - 1] != "--acs-path")),
        ];
    }

    private static DeviceRef Identity(string serial) => IndependentCpeInventory.Identity(serial, Oui, ProductClass);

    /// <summary>Registers the CPE (its CWMP and Connection Request credentials) and the plan, as an operator would.</summary>
    private Task RegisterAsync(string serial, ServicePlan? plan = null) =>
        IndependentCpeInventory.RegisterAsync(fixture, Identity(serial), plan ?? CwmpSystemFixture.Plan("indie-gold"));
}

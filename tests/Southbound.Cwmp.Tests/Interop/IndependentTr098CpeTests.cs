using Provisioning.Testing;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Cwmp.Tests.EndToEnd;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// Interoperability with TR-098 gateways (root InternetGatewayDevice., TR-104 voice), what most home routers in the field
/// speak: the independent CPE (tests/Interop/cwmp_cpe.py --data-model tr098) with a fixed schema, enumerations it
/// enforces, passwords that read back empty and no bridges until the ACS adds them.
/// </summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class IndependentTr098CpeTests(CwmpSystemFixture fixture)
{
    private const string Oui = "A1B2C3";
    private const string ProductClass = "IGD098";
    private const string Igd = "InternetGatewayDevice.";
    private const string Wlan = Igd + "LANDevice.1.WLANConfiguration.";
    private const string Profile = Igd + "Services.VoiceService.1.VoiceProfile.1.";
    private const string Server = Igd + "ManagementServer.";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    /// <summary>CPE flags per variant; each is a TR-098 gateway provisioned zero-touch from its first Inform.</summary>
    private static readonly Dictionary<string, string[]> Variants = new()
    {
        ["conventional"] = [],
        ["SOAP-ENV prefix, cwmp-1-0, no cookies, NoMoreRequests"] =
            ["--soap-prefix", "SOAP-ENV", "--cwmp-version", "1.0", "--ignore-cookies", "--no-more-requests"],
        ["answers GetParameterValues with the whole object, as for a partial path name"] = ["--gpv-object-answers"],
        ["Basic sent pre-emptively, self-closed empty elements, no xsi:type"] =
            ["--auth", "basic", "--basic-preemptive", "--self-closing", "--no-xsi-type"],
        ["applies after a reboot (Status 1), rebooted and verified in the session after it"] = ["--apply-after-reboot"],
    };

    public static TheoryData<string> VariantNames => [.. Variants.Keys];

    [Theory]
    [MemberData(nameof(VariantNames))]
    public async Task A_bootstrapping_tr098_cpe_is_provisioned_at_tr098_paths(string variant)
    {
        var serial = fixture.NewSerial("T98");
        await RegisterAsync(serial);

        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--data-model", "tr098", .. Variants[variant]]));
        Assert.True(run.ExitCode == 0, run.ToString());
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        AssertPlanApplied(run);
        // Missing bridges may be refused (9005) before they are added; a value the CPE's schema rejects never is.
        var refused = run.Sessions.SelectMany(s => s.GetProperty("acs_faults").EnumerateArray())
            .SelectMany(f => f.GetProperty("parameters").EnumerateArray()).Select(p => (Name: p[0].GetString(), Code: p[1].GetInt32()));
        Assert.DoesNotContain(refused, p => p.Code != 9005);
    }

    [Fact]
    public async Task A_tr098_cpe_gets_its_own_credentials_and_the_workflow_names_tr098_paths()
    {
        var serial = fixture.NewSerial("T98K");
        await RegisterAsync(serial);

        var bootstrap = await IndependentCpe.RunAsync(Arguments(serial, ["--data-model", "tr098"]));
        Assert.True(bootstrap.ExitCode == 0, bootstrap.ToString());
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{bootstrap}");

        Assert.Equal("cpe-" + serial, bootstrap.Parameter(Server + "Username"));
        Assert.Equal("pw-" + serial, bootstrap.Parameter(Server + "Password"));
        Assert.Equal("cr-" + serial, bootstrap.Parameter(Server + "ConnectionRequestUsername"));
        Assert.Equal("crpw-" + serial, bootstrap.Parameter(Server + "ConnectionRequestPassword"));
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(Igd, events.Single(e => e.DeviceAuthenticated is not null).DeviceAuthenticated.DataModelRoot);
        var pushed = events.Single(e => e.ConfigPushed is not null).ConfigPushed;
        Assert.All(pushed.Parameters, p => Assert.StartsWith(Igd, p.Name));
        Assert.Contains(pushed.Parameters, p => p.Name == Wlan + "1.SSID" && p.Value == "Home-24");
        Assert.Equal("********", pushed.Parameters.Single(p => p.Name == Server + "Password").Value);
        Assert.Equal("********", pushed.Parameters.Single(p => p.Name == Wlan + "1.PreSharedKey.1.KeyPassphrase").Value);

        // Its next session, with what it was given. (Whether the factory credential still opens a session for it is the
        // orchestrator's factory-reset policy, Devices:FactoryReset.)
        var periodic = await IndependentCpe.RunAsync(Arguments(serial, ["--data-model", "tr098", "--own-credential", "--event", "2 PERIODIC"]));

        Assert.True(periodic.ExitCode == 0, periodic.ToString());
    }

    [Fact]
    public async Task An_idle_tr098_cpe_is_woken_by_a_connection_request_and_provisioned()
    {
        var serial = fixture.NewSerial("T98C");
        await RegisterAsync(serial);
        var ready = Path.GetTempFileName();
        File.Delete(ready);
        await using var cpe = IndependentCpe.Start(Arguments(serial,
            ["--data-model", "tr098", "--own-credential", "--event", "2 PERIODIC", "--connection-requests", "1", "--ready-file", ready]));
        if (!await Eventually.HoldsAsync(() => File.Exists(ready), Patience)) Assert.Fail("the CPE's periodic session did not end: " + await cpe.WaitAsync());

        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = Identity(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId, Patience);
        var run = await cpe.WaitAsync();
        File.Delete(ready);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["6 CONNECTION REQUEST"], CpeRun.Strings(run.Sessions[1].GetProperty("events")));
        AssertPlanApplied(run);
    }

    /// <summary>
    /// A gateway out of the box knows only factory credentials, also for Connection Requests; once provisioned it has the
    /// inventory's, which the ACS then uses to wake it for the next workflow.
    /// </summary>
    [Fact]
    public async Task A_tr098_cpe_provisioned_from_factory_credentials_is_woken_with_the_inventory_connection_request_credential()
    {
        var serial = fixture.NewSerial("T98F");
        await RegisterAsync(serial);
        var ready = Path.GetTempFileName();
        File.Delete(ready);
        await using var cpe = IndependentCpe.Start(Arguments(serial,
            ["--data-model", "tr098", "--cr-username", "admin", "--cr-password", "factory", "--connection-requests", "1", "--ready-file", ready]));
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        if (!await Eventually.HoldsAsync(() => File.Exists(ready), Patience)) Assert.Fail("the CPE's bootstrap session did not end: " + await cpe.WaitAsync());

        var again = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = Identity(serial),
            RequestId = Guid.NewGuid().ToString(),
        });
        var second = await fixture.System.WaitForTerminalAsync(again.Workflow.WorkflowId, Patience);
        var run = await cpe.WaitAsync();
        File.Delete(ready);

        Assert.Equal(WorkflowResult.Success, first.Result);
        Assert.True(second.Result == WorkflowResult.Success, $"{second}\n{run}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["6 CONNECTION REQUEST"], CpeRun.Strings(run.Sessions[^1].GetProperty("events")));
        Assert.Equal("cr-" + serial, run.Parameter(Server + "ConnectionRequestUsername"));
    }

    /// <summary>
    /// TR-098 gives a gateway one WLANConfiguration per radio and no AddObject for it: a 5 GHz network cannot be created
    /// on a 2.4 GHz-only box. The push fails, says why, and leaves nothing behind (the bridges it added go again).
    /// </summary>
    [Fact]
    public async Task A_single_radio_tr098_cpe_given_a_dual_band_plan_fails_clearly_and_is_left_as_it_was()
    {
        var serial = fixture.NewSerial("T98W");
        await RegisterAsync(serial);

        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--data-model", "tr098", "--wlan-instances", "1"]));
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
        Assert.Contains($"lacks {Wlan}2.", workflow.FailureReason);
        Assert.Equal("Factory-1", run.Parameter(Wlan + "1.SSID"));
        Assert.Equal("0", run.Parameter(Igd + "Layer2Bridging.BridgeNumberOfEntries"));
        Assert.Contains("DeleteObject", CpeRun.Strings(run.Sessions[0].GetProperty("acs_methods")));
    }

    /// <summary>The plan's security mode reaches a TR-098 gateway as its BeaconType and the matching modes (values its schema accepts).</summary>
    [Theory]
    [InlineData("None", "Basic", "BasicEncryptionModes", "None")]
    [InlineData("WPA-WPA2-Personal", "WPAand11i", "IEEE11iEncryptionModes", "AESEncryption")]
    [InlineData("WPA-Personal", "WPA", "WPAEncryptionModes", "TKIPEncryption")]
    public async Task A_security_mode_becomes_the_tr098_beacon_type(string mode, string beaconType, string parameter, string value)
    {
        var serial = fixture.NewSerial("T98S");
        var plan = CwmpSystemFixture.Plan("tr098-" + mode.ToLowerInvariant());
        plan.Wifi[0].SecurityMode = mode;
        await RegisterAsync(serial, plan);

        var run = await IndependentCpe.RunAsync(Arguments(serial, ["--data-model", "tr098"]));
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        Assert.Equal(beaconType, run.Parameter(Wlan + "1.BeaconType"));
        Assert.Equal(value, run.Parameter(Wlan + "1." + parameter));
        Assert.Equal(mode == "None" ? "" : "wifi-secret-24", run.Parameter(Wlan + "1.PreSharedKey.1.KeyPassphrase"));
        Assert.Equal("11i", run.Parameter(Wlan + "2.BeaconType"));
    }

    /// <summary>
    /// Issue 15.9: a vendor TR-098 model keeps its WPA passphrase at PreSharedKey.1.PreSharedKey and has no Layer2Bridging.
    /// Without its model profile the push fails on the paths it lacks; with it the plan lands where the model keeps it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_vendor_model_is_provisioned_through_its_model_profile(bool withProfile)
    {
        var serial = fixture.NewSerial("T98V");
        var productClass = "VX98-" + serial; // a model of its own: profiles apply to every device of their model
        var identity = IndependentCpeInventory.Identity(serial, Oui, productClass);
        if (withProfile)
        {
            await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
            {
                Profile = new ModelProfile
                {
                    Name = "vendor-" + serial, Manufacturer = "Independent Networks", Model = productClass,
                    Mappings = { new ParameterMapping { From = Wlan + "{i}.PreSharedKey.1.KeyPassphrase", To = Wlan + "{i}.PreSharedKey.1.PreSharedKey" } },
                    Omit = { Igd + "Layer2Bridging." },
                },
            });
        }
        await IndependentCpeInventory.RegisterAsync(fixture, identity, CwmpSystemFixture.Plan("tr098-vendor"));

        var run = await IndependentCpe.RunAsync([
            .. IndependentCpeInventory.Arguments(fixture.AcsUrl, identity, own: false),
            "--data-model", "tr098", "--vendor-tr098", "--model-name", productClass]);
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);

        Assert.True(run.ExitCode == 0, run.ToString());
        if (!withProfile)
        {
            Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
            return;
        }
        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}\n{run}");
        Assert.Equal("wifi-secret-24", run.Parameter(Wlan + "1.PreSharedKey.1.PreSharedKey"));
        Assert.Equal("wifi-secret-5G", run.Parameter(Wlan + "2.PreSharedKey.1.PreSharedKey"));
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        var pushed = events.Single(e => e.ConfigPushed is not null).ConfigPushed.Parameters;
        Assert.DoesNotContain(pushed, p => p.Name.StartsWith(Igd + "Layer2Bridging.", StringComparison.Ordinal));
        Assert.All(pushed.Where(p => p.Name.EndsWith(".PreSharedKey", StringComparison.Ordinal)), p => Assert.Equal("********", p.Value));
    }

    private static void AssertPlanApplied(CpeRun run)
    {
        Assert.Equal("Home-24", run.Parameter(Wlan + "1.SSID"));
        Assert.Equal("Home-5", run.Parameter(Wlan + "2.SSID"));
        Assert.Equal("true", run.Parameter(Wlan + "1.Enable"));
        Assert.Equal("11i", run.Parameter(Wlan + "1.BeaconType"));
        Assert.Equal("AESEncryption", run.Parameter(Wlan + "1.IEEE11iEncryptionModes"));
        Assert.Equal("PSKAuthentication", run.Parameter(Wlan + "1.IEEE11iAuthenticationMode"));
        Assert.Equal("wifi-secret-24", run.Parameter(Wlan + "1.PreSharedKey.1.KeyPassphrase"));
        Assert.Equal("wifi-secret-5G", run.Parameter(Wlan + "2.PreSharedKey.1.KeyPassphrase"));
        Assert.Equal("sip.example.net", run.Parameter(Profile + "SIP.RegistrarServer"));
        Assert.Equal("Enabled", run.Parameter(Profile + "Enable"));
        Assert.Equal("Enabled", run.Parameter(Profile + "Line.1.Enable"));
        Assert.Equal("+3215550101", run.Parameter(Profile + "Line.1.DirectoryNumber"));
        Assert.Equal("sip-user-1", run.Parameter(Profile + "Line.1.SIP.AuthUserName"));
        Assert.Equal("sip-secret-1", run.Parameter(Profile + "Line.1.SIP.AuthPassword"));
        Assert.Equal(["100", "200"], Bridges(run).Where(b => b.Enabled).Select(b => b.VlanId).Order());
        Assert.Equal("true", run.Parameter(Server + "PeriodicInformEnable"));
        Assert.Equal("3600", run.Parameter(Server + "PeriodicInformInterval"));
        Assert.NotEqual("", run.Json.GetProperty("parameter_key").GetString());
    }

    /// <summary>The CPE's bridges, whatever numbers it gave them.</summary>
    private static IEnumerable<(bool Enabled, string VlanId)> Bridges(CpeRun run)
    {
        const string table = Igd + "Layer2Bridging.Bridge.";
        foreach (var p in run.Json.GetProperty("parameters").EnumerateObject())
        {
            if (!p.Name.StartsWith(table, StringComparison.Ordinal) || !p.Name.EndsWith(".VLANID", StringComparison.Ordinal)) continue;
            var instance = p.Name[..^"VLANID".Length];
            yield return (run.Parameter(instance + "BridgeEnable") is "true" or "1", p.Value.GetString()!);
        }
    }

    private string[] Arguments(string serial, string[] variant)
    {
        var own = variant.Contains("--own-credential");
        return
        [
            .. IndependentCpeInventory.Arguments(fixture.AcsUrl, Identity(serial), own),
            .. variant.Where(a => a != "--own-credential"),
        ];
    }

    private static DeviceRef Identity(string serial) => IndependentCpeInventory.Identity(serial, Oui, ProductClass);

    /// <summary>Registers the CPE (its CWMP and Connection Request credentials) and the plan, as an operator would.</summary>
    private Task RegisterAsync(string serial, ServicePlan? plan = null) =>
        IndependentCpeInventory.RegisterAsync(fixture, Identity(serial), plan ?? CwmpSystemFixture.Plan("tr098-gold"));
}

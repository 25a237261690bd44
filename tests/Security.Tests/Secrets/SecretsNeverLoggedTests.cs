using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Secrets;

/// <summary>
/// Every log line of the orchestrator and the ACS, at Debug, through wrong-password attempts and a full provisioning
/// with Wi-Fi keys and SIP passwords: no credential or secret appears, in clear or Base64 (Basic auth).
/// </summary>
public sealed class SecretsNeverLoggedTests : IAsyncLifetime
{
    private const string CwmpPassword = "cwmp-secret-Q7x";
    private const string WrongPassword = "wrong-secret-Z9k";
    private const string CrPassword = "cr-secret-M3p";
    private const string WifiKey = "wifi-secret-K8w";
    private const string SipPassword = "sip-secret-R2v";
    private readonly CapturedLogs _logs = new();
    private SystemUnderTest _system = null!;
    private WebApplication _acs = null!;

    public async Task InitializeAsync()
    {
        _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:HostAdapters"] = "false",
            ["Logging:LogLevel:Default"] = "Debug",
            ["Workflow:AuthenticateTimeout"] = "00:00:05",
        }, builder => builder.Logging.AddProvider(_logs));
        var settings = _system.Settings.ToDictionary(kv => kv.Key, kv => kv.Value);
        settings["Cwmp:Auth:CacheDuration"] = "00:00:00";
        settings["Cwmp:IdleGrace"] = "00:00:01";
        _acs = CwmpAdapterApplication.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.AddProvider(_logs);
        });
        await _acs.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _acs.StopAsync();
        await _acs.DisposeAsync();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task Wrong_passwords_and_a_full_provisioning_leave_no_secret_in_any_log_line()
    {
        const string serial = "LOG0001";
        await _system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan
        {
            Name = "log-plan", DataEnabled = true,
            Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = "Home", Key = WifiKey, Enabled = true } },
            VoipLines = { new VoipLine { Line = 1, SipUsername = "sip-user", SipPassword = SipPassword, DirectoryNumber = "1000", Registrar = "sip.example.net" } },
        } });
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
            ServicePlan = "log-plan", CwmpUsername = "cpe-" + serial, CwmpPassword = CwmpPassword,
            ConnectionRequestUsername = "cr-" + serial, ConnectionRequestPassword = CrPassword,
        } });

        await using var fleet = await CwmpFleet.StartAsync();
        foreach (var scheme in new[] { CpeAuthScheme.Basic, CpeAuthScheme.Digest })
        {
            var intruder = fleet.Add(Options(serial + "-" + scheme, WrongPassword, scheme) with { SerialNumber = serial + (scheme == CpeAuthScheme.Basic ? "B" : "D") });
            var refused = await intruder.BootstrapAsync();
            Assert.False(refused.Succeeded);
        }

        var cpe = fleet.Add(Options(serial, CwmpPassword, CpeAuthScheme.Digest));
        var session = await cpe.BootstrapAsync();
        var workflow = await _system.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, TimeSpan.FromSeconds(30));
        Assert.True(session.Succeeded, session.ToString());
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(WifiKey, cpe.GetValue("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));

        var lines = _logs.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains(serial)); // the logs were captured, at a level that names the device
        foreach (var secret in new[] { CwmpPassword, WrongPassword, CrPassword, WifiKey, SipPassword })
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret));
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"cpe-{serial}:{secret}"));
            Assert.DoesNotContain(lines, l => l.Contains(basic));
        }
    }

    private SimulatedCpeOptions Options(string serial, string password, CpeAuthScheme scheme) => new()
    {
        SerialNumber = serial, AcsUrl = _system.AcsUrl, Username = "cpe-LOG0001", Password = password, AuthScheme = scheme,
        ConnectionRequestUsername = "cr-LOG0001", ConnectionRequestPassword = CrPassword,
    };
}

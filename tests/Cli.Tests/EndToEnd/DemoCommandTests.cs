using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>
/// `cpe demo` against the whole system as shipped: orchestrator, PostgreSQL and the real CWMP and USP adapters
/// (hosted in-process, reached over gRPC), with the project's simulated CPEs and agents on real HTTP/SOAP
/// and WebSockets.
/// </summary>
public sealed class DemoCommandTests : IAsyncLifetime
{
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync() => _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
    {
        ["Workflow:AuthenticateTimeout"] = "00:00:10",
        ["Workflow:PushConfigTimeout"] = "00:00:10",
        ["Workflow:VerifyTimeout"] = "00:00:10",
    });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Demo_provisions_the_healthy_devices_and_reports_the_faulty_ones()
    {
        var run = await CliRun.ExecuteAsync(
        [
            "demo", "--server", _system.GrpcAddress, "--token", SystemUnderTest.AdminKey, "--acs-url", _system.AcsUrl.ToString(),
            "--usp-url", _system.UspWebSocketUrl.ToString(), "--usp-controller", _system.UspControllerEndpointId, "--duration", "20",
        ]);

        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        Assert.Contains("every device ended as its behaviour predicts", run.Console);
        // Live events of both protocols, then the report of the failures.
        Assert.Contains("provisioning_succeeded", run.Console);
        Assert.Matches(@"DEMO\w+C1 .*provisioning_succeeded", run.Console);
        Assert.Matches(@"DEMO\w+U1 .*provisioning_succeeded", run.Console);
        var report = run.Console[run.Console.IndexOf("failure report", StringComparison.Ordinal)..];
        Assert.Contains(report.Split('\n'), l => l.Contains("push_config") && l.Contains("config_push_failed") && l.Contains("FritzBox7590") && l.Contains("7.29"));
        Assert.Contains(report.Split('\n'), l => l.Contains("verify") && l.Contains("verification_failed") && l.Contains("V3R015"));
        Assert.Contains(report.Split('\n'), l => l.Contains("no_profile"));
        Assert.DoesNotContain("demo-wifi-key", run.Console);
    }

    /// <summary>Pointed at a port where no ACS listens, the demo says so for each CPE instead of "see their events above".</summary>
    [Fact]
    public async Task Demo_pointed_at_no_acs_says_that_no_device_reached_it_at_that_url()
    {
        var nowhere = $"http://127.0.0.1:{FreePort.Next()}/";
        var run = await CliRun.ExecuteAsync(
        [
            "demo", "--server", _system.GrpcAddress, "--token", SystemUnderTest.AdminKey, "--acs-url", nowhere, "--no-usp", "--duration", "5",
        ]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Matches(@"DEMO\w+C1: no CWMP session with the ACS at " + System.Text.RegularExpressions.Regex.Escape(nowhere), run.Console);
    }
}

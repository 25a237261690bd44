using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class AuthorizationTests(CliSystemFixture fixture)
{
    private static readonly Dictionary<string, string?> NoKeyFile = new() { ["CPE_KEY_FILE"] = "/nonexistent/keys.json" };

    [Fact]
    public async Task Without_credentials_the_orchestrator_refuses_and_the_cli_says_so_in_one_line()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--server", fixture.System.GrpcAddress], NoKeyFile);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"cpe: the server at {fixture.System.GrpcAddress} rejected the credentials", line);
        Assert.EndsWith("(set --token or CPE_TOKEN to an API key)", line);
    }

    [Fact]
    public async Task An_operator_key_cannot_rebuild_projections()
    {
        var run = await CliRun.ExecuteAsync(["rebuild-projections", "--server", fixture.System.GrpcAddress, "--token", SystemUnderTest.OperatorKey], NoKeyFile);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.StartsWith($"cpe: the server at {fixture.System.GrpcAddress} denied the call", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task An_operator_key_can_read_reports()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--server", fixture.System.GrpcAddress, "--format", "json"],
            new Dictionary<string, string?>(NoKeyFile) { ["CPE_TOKEN"] = SystemUnderTest.OperatorKey });
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"total_failed\"", run.Out);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Provisioning.Cli.Tests.Errors;

/// <summary>Unreachable server, bad arguments and malformed files: one line on stderr, a distinct exit code.</summary>
public sealed class CommandLineErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cpe-cli-").FullName;
    private readonly string _deadServer = $"http://127.0.0.1:{UnusedPort()}";

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("failures")]
    [InlineData("device", "SN-1")]
    [InlineData("replay")]
    [InlineData("cancel", "wf-1")]
    [InlineData("provision", "--serial", "SN-1", "--oui", "00D09E", "--protocol", "cwmp")]
    public async Task Unreachable_server_is_one_line_and_exit_code_3(params string[] args)
    {
        var run = await CliRun.ExecuteAsync([.. args, "--server", _deadServer]);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"cpe: cannot reach the server at {_deadServer}", line);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Server_address_comes_from_the_environment()
    {
        var run = await CliRun.ExecuteAsync(["failures"], new Dictionary<string, string?> { ["CPE_SERVER"] = _deadServer });
        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains(_deadServer, run.Error);
    }

    [Fact]
    public async Task Server_flag_wins_over_the_environment()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--server", _deadServer],
            new Dictionary<string, string?> { ["CPE_SERVER"] = "http://127.0.0.2:1" });
        Assert.Contains(_deadServer, run.Error);
    }

    [Theory]
    [InlineData("cpe: --result 'bogus' is not one of: success, unknown_device", "replay", "--result", "bogus")]
    [InlineData("cpe: --since 'yesterday' is not a time", "replay", "--since", "yesterday")]
    [InlineData("cpe: Option '--oui' is required.", "provision", "--serial", "SN-1", "--protocol", "cwmp")]
    [InlineData("cpe: --server 'ftp://x' is not an http:// or https:// address", "failures", "--server", "ftp://x")]
    [InlineData("cpe: --resume needs --output FILE", "replay", "--resume")]
    [InlineData("cpe: --serial and --workflow cannot be combined", "replay", "--serial", "a", "--workflow", "b")]
    public async Task Bad_arguments_are_one_line_and_exit_code_2(string expected, params string[] args)
    {
        var run = await CliRun.ExecuteAsync(args);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith(expected, Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Inventory_file_with_one_bad_row_names_it_and_never_calls_the_server()
    {
        var path = Path.Combine(_directory, "devices.csv");
        await File.WriteAllTextAsync(path,
            "serial_number,oui,product_class,protocol,endpoint_id,customer_id,service_plan,location_id,cwmp_username,cwmp_password,connection_request_username,connection_request_password\n" +
            "SN-1,00D09E,HG,cwmp,,,gold,,,,,\n" +
            "SN-2,00D09E,HG,snmp,,,gold,,,,,\n" +
            "SN-3,00D09E,HG,cwmp,,,gold,,,,,\n");

        // A dead server: had the command tried to load anything, it would fail with exit code 3.
        var run = await CliRun.ExecuteAsync(["inventory", "import", path, "--server", _deadServer]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"cpe: {path}: 1 bad row(s), nothing loaded", run.ErrorLines[0]);
        Assert.Equal("  line 3: protocol 'snmp' must be cwmp or usp", run.ErrorLines[1]);
    }

    [Fact]
    public async Task Malformed_plan_file_is_reported_without_calling_the_server()
    {
        var path = Path.Combine(_directory, "plans.json");
        await File.WriteAllTextAsync(path, "[ { \"name\": \"gold\", ");
        var run = await CliRun.ExecuteAsync(["plans", "import", path, "--server", _deadServer]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("nothing loaded", run.ErrorLines[0]);
        Assert.StartsWith("  line 1: not valid JSON", run.ErrorLines[1]);
    }

    [Fact]
    public async Task Missing_file_is_one_line()
    {
        var run = await CliRun.ExecuteAsync(["inventory", "import", Path.Combine(_directory, "nope.csv")]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("cpe: cannot read ", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Dry_run_validates_a_good_file_without_a_server()
    {
        var path = Path.Combine(_directory, "plans.yaml");
        await File.WriteAllTextAsync(path, "- name: gold\n  data_enabled: true\n");
        var run = await CliRun.ExecuteAsync(["plans", "import", path, "--dry-run", "--server", _deadServer]);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("1 valid plan(s), 0 model profile(s); nothing sent", run.Console);
    }
}

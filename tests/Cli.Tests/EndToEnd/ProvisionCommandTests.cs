using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class ProvisionCommandTests(CliSystemFixture fixture)
{
    [Fact]
    public async Task Provision_and_wait_shows_each_step_and_succeeds()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var run = await fixture.RunAsync("provision", "--serial", serial, "--oui", "00D09E", "--product-class", "HG8245", "--protocol", "cwmp", "--wait", "--timeout", "20");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches($"^workflow [0-9a-f-]{{36}} for {serial}$", lines[0]);
        var workflowId = lines[0].Split(' ')[1];
        Assert.Contains(lines, l => l.Contains("device_authenticated [authenticate]") && l.Contains("model=HG8245 firmware=V3R017"));
        Assert.Contains(lines, l => l.Contains("service_profile_fetched [fetch_profile]") && l.Contains("plan=gold"));
        Assert.Contains(lines, l => l.Contains("config_pushed [push_config]"));
        Assert.Contains(lines, l => l.Contains("result=success"));
        Assert.StartsWith($"workflow {workflowId} ({serial}): success", lines[^1]);
        Assert.All(lines.Skip(1).SkipLast(1), l => Assert.Contains(workflowId, l));
        // Secrets pushed to the device never reach the terminal.
        Assert.DoesNotContain("wifi-secret", run.Console);
        Assert.DoesNotContain("sip-secret", run.Console);

        var workflow = await fixture.System.Provisioning.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = workflowId });
        Assert.Equal(WorkflowResult.Success, workflow.Result);
    }

    [Fact]
    public async Task A_failed_workflow_shows_the_fault_and_exits_non_zero()
    {
        var serial = CliSystemFixture.NewSerial("FAULT");
        await fixture.RegisterAsync(serial);

        var run = await fixture.RunAsync("provision", "--serial", serial, "--oui", "00D09E", "--protocol", "cwmp", "--wait", "--timeout", "20");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("provisioning_failed", run.Console);
        Assert.Contains("result=config_push_failed", run.Console);
        Assert.Contains("fault=9003", run.Console);
        Assert.Contains(":9007", run.Console);
        Assert.Matches($"workflow [0-9a-f-]{{36}} \\({serial}\\): config_push_failed at push_config fault 9003", run.Console);
    }

    [Fact]
    public async Task The_same_request_id_returns_the_same_workflow()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);
        string[] args = ["provision", "--serial", serial, "--oui", "00D09E", "--protocol", "cwmp", "--request-id", $"req-{serial}"];

        var first = await fixture.RunAsync(args);
        var second = await fixture.RunAsync(args);

        Assert.Equal(0, second.ExitCode);
        var workflowId = first.Console.Split(' ')[1];
        Assert.StartsWith($"workflow {workflowId} for {serial} (request id seen before", second.Console);
    }

    [Fact]
    public async Task A_request_the_server_rejects_is_one_line_and_exit_code_4()
    {
        var run = await fixture.RunAsync("provision", "--serial", "SN-1", "--oui", "NOTHEX", "--protocol", "cwmp");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("cpe: the server at ", line);
        Assert.Contains("rejected the request", line);
        Assert.Contains("device.oui", line);
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class WorkflowCommandTests(CliSystemFixture fixture)
{
    [Fact]
    public async Task Retry_starts_a_linked_workflow_and_can_wait_for_it()
    {
        var failed = await fixture.ProvisionAsync(CliSystemFixture.NewSerial("FAULT"));

        var run = await fixture.RunAsync("retry", failed.WorkflowId, "--wait", "--timeout", "20");

        Assert.Equal(ExitCodes.Failed, run.ExitCode); // the device still rejects the configuration
        var first = run.Console.Split('\n')[0];
        Assert.Matches($"^workflow [0-9a-f-]{{36}} retries {failed.WorkflowId} for {failed.Device.SerialNumber}$", first);
        var retryId = first.Split(' ')[1];
        Assert.NotEqual(failed.WorkflowId, retryId);
        Assert.Contains("trigger=retry", run.Console);
        var retry = await fixture.System.Provisioning.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = retryId });
        Assert.Equal(failed.WorkflowId, retry.RetryOf);
        Assert.Equal(WorkflowTrigger.Retry, retry.Trigger);
    }

    [Fact]
    public async Task Retrying_a_successful_workflow_is_refused()
    {
        var done = await fixture.ProvisionAsync(CliSystemFixture.NewSerial("OK"));
        var run = await fixture.RunAsync("retry", done.WorkflowId);
        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("only a failed or cancelled workflow can be retried", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Cancel_ends_a_running_workflow_with_the_reason()
    {
        var serial = CliSystemFixture.NewSerial("SLOW");
        await fixture.RegisterAsync(serial);
        var started = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });

        var run = await fixture.RunAsync("cancel", started.Workflow.WorkflowId, "--reason", "customer moved");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"workflow {started.Workflow.WorkflowId} ({serial}): cancelled", run.Console);
        var ended = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId);
        Assert.Equal(WorkflowResult.Cancelled, ended.Result);
        var cancelled = (await fixture.System.EventsAsync(started.Workflow.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled);
        Assert.Equal("customer moved", cancelled.ProvisioningCancelled.Reason);
    }

    [Fact]
    public async Task Cancel_of_an_unknown_workflow_is_not_found()
    {
        var run = await fixture.RunAsync("cancel", Guid.NewGuid().ToString());
        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.StartsWith("cpe: not found: workflow ", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Rebuild_projections_reports_what_it_rebuilt()
    {
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("FAULT"));
        var run = await fixture.RunAsync("rebuild-projections");
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"rebuilt [1-9]\d* projection\(s\) from [1-9]\d* event\(s\): \S+", run.Console);
    }
}

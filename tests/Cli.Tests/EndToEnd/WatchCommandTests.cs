using Provisioning.Cli.Events;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Cli.Server;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class WatchCommandTests(CliSystemFixture fixture)
{
    [Fact]
    public async Task Watch_follows_a_devices_live_events_until_stopped()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        var other = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial, other);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var everything = fixture.RunAsync(["watch", "--serial", serial, "--format", "jsonl"], stop.Token);
        var successes = fixture.RunAsync(["watch", "--result", "success", "--count", "1", "--serial", serial], stop.Token);

        var workflow = await Provision(serial);
        await Provision(other);
        var success = await successes;
        await fixture.System.WaitForTerminalAsync(workflow.WorkflowId);
        await Task.Delay(300);
        await stop.CancelAsync();
        var watched = await everything;

        Assert.Equal(0, success.ExitCode);
        var line = Assert.Single(success.Console.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{serial}  {workflow.WorkflowId}", line);
        Assert.Contains("result=success", line);

        Assert.Equal(0, watched.ExitCode);
        var events = EventFormats.Read(EventFormat.JsonLines, new StringReader(watched.Out)).ToList();
        Assert.Equal((await fixture.System.EventsAsync(workflow.WorkflowId)).ToList(), events);
    }

    [Fact]
    public async Task Watch_without_from_position_skips_history()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.ProvisionAsync(serial);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var run = await fixture.RunAsync(["watch", "--serial", serial], stop.Token);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Console);
        using var again = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var history = await fixture.RunAsync(["watch", "--serial", serial, "--from-position", "0"], again.Token);
        Assert.Contains("provisioning_succeeded", history.Console);
    }

    [Fact]
    public async Task Unfiltered_watch_starts_at_the_end_of_the_stream()
    {
        var old = CliSystemFixture.NewSerial("OK");
        await fixture.ProvisionAsync(old);
        using (var connection = ServerConnection.Open(fixture.System.GrpcAddress, SystemUnderTest.AdminKey))
            Assert.Equal(await fixture.LastPositionAsync(), await StreamHead.EstimateAsync(connection, CancellationToken.None));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watch = fixture.RunAsync(["watch", "--result", "success", "--count", "1"], stop.Token);
        await Task.Delay(1000); // let the watch find the end of the stream before the next workflow
        var fresh = CliSystemFixture.NewSerial("OK");
        await fixture.ProvisionAsync(fresh);
        var run = await watch;

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"  {fresh}  ", run.Console);
        Assert.DoesNotContain(old, run.Console);
    }

    private async Task<Workflow> Provision(string serial) =>
        (await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        })).Workflow;
}

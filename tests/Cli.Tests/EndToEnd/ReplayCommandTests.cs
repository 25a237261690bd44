using Provisioning.Cli.Events;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class ReplayCommandTests(CliSystemFixture fixture)
{
    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Export_to_stdout_parses_back_to_the_servers_events(string format)
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.ProvisionAsync(serial);
        var expected = (await fixture.System.EventsAsync()).Where(e => e.SerialNumber == serial).ToList();
        Assert.True(expected.Count >= 5);

        var run = await fixture.RunAsync("replay", "--serial", serial, "--format", format);

        Assert.Equal(0, run.ExitCode);
        var exported = EventFormats.Read(format == "csv" ? EventFormat.Csv : EventFormat.JsonLines, new StringReader(run.Out)).ToList();
        Assert.Equal(expected, exported);
        Assert.Contains(exported, e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed);
    }

    [Theory]
    [InlineData("events.jsonl")]
    [InlineData("events.csv")]
    public async Task Resume_continues_after_the_last_position_without_gaps_or_duplicates(string fileName)
    {
        var start = await fixture.LastPositionAsync();
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("OK"));
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("FAULT"));
        var path = fixture.PathOf($"{Guid.NewGuid():N}-{fileName}");
        var format = fileName.EndsWith(".csv") ? EventFormat.Csv : EventFormat.JsonLines;

        var first = await fixture.RunAsync("replay", "--from-position", $"{start}", "--output", path, "--max-events", "4");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(4, EventFile.ReadAll(path, format).Count);
        // A run killed mid-line leaves half a record; resume must drop it, not keep or duplicate it.
        await File.AppendAllTextAsync(path, format == EventFormat.Csv ? "999,half-a-li" : "{\"global_position\": \"99");

        var resumed = await fixture.RunAsync("replay", "--from-position", $"{start}", "--output", path, "--resume");

        Assert.Equal(0, resumed.ExitCode);
        var written = EventFile.ReadAll(path, format);
        var expected = (await fixture.System.EventsAsync())
            .Where(e => e.GlobalPosition > start && e.GlobalPosition <= written[^1].GlobalPosition).ToList();
        Assert.Equal(expected, written);
        Assert.Matches(@"wrote \d+ event\(s\) to .*\(resumed after \d+\)", resumed.Console);
    }

    [Fact]
    public async Task Replaying_to_a_file_on_a_terminal_shows_a_progress_bar()
    {
        var start = await fixture.LastPositionAsync();
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("OK"));
        var path = fixture.PathOf($"{Guid.NewGuid():N}.jsonl");

        var run = await CliRun.ExecuteAsync(
            ["replay", "--from-position", $"{start}", "--output", path, "--server", fixture.System.GrpcAddress, "--token", SystemUnderTest.AdminKey], interactive: true);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("replayed: 6 read, 6 written", run.Console);
        Assert.Contains("100%", run.Console);
        Assert.Contains("━", run.Console);
    }

    [Fact]
    public async Task A_filtered_resume_decides_exactly_as_one_uninterrupted_run()
    {
        var start = await fixture.LastPositionAsync();
        var faulty = new[] { CliSystemFixture.NewSerial("FAULT"), CliSystemFixture.NewSerial("FAULT"), CliSystemFixture.NewSerial("FAULT") };
        foreach (var serial in faulty) await fixture.ProvisionAsync(serial);
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("OK"));
        var whole = fixture.PathOf($"{Guid.NewGuid():N}.jsonl");
        var pieces = fixture.PathOf($"{Guid.NewGuid():N}.jsonl");
        string[] filter = ["replay", "--from-position", $"{start}", "--result", "config_push_failed", "--model", "F@ST5670"];

        await fixture.RunAsync([.. filter, "--output", whole]);
        await fixture.RunAsync([.. filter, "--output", pieces, "--max-events", "1"]);
        await fixture.RunAsync([.. filter, "--output", pieces, "--resume", "--max-events", "1"]);
        await fixture.RunAsync([.. filter, "--output", pieces, "--resume"]);

        var expected = EventFile.ReadAll(whole, EventFormat.JsonLines);
        Assert.Equal(faulty, expected.Select(e => e.SerialNumber));
        Assert.All(expected, e => Assert.Equal(WorkflowResult.ConfigPushFailed, e.ProvisioningFailed.Result));
        Assert.Equal(expected, EventFile.ReadAll(pieces, EventFormat.JsonLines));
    }

    [Fact]
    public async Task Filters_by_step_fault_code_and_plan()
    {
        var start = await fixture.LastPositionAsync();
        var ok = CliSystemFixture.NewSerial("OK");
        var fault = CliSystemFixture.NewSerial("FAULT");
        await fixture.ProvisionAsync(ok);
        await fixture.ProvisionAsync(fault);

        async Task<List<ProvisioningEvent>> Replay(params string[] args)
        {
            var run = await fixture.RunAsync(["replay", "--from-position", $"{start}", .. args]);
            Assert.Equal(0, run.ExitCode);
            return EventFormats.Read(EventFormat.JsonLines, new StringReader(run.Out)).ToList();
        }

        var pushes = await Replay("--step", "push_config");
        Assert.Contains(pushes, e => e.SerialNumber == ok && e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ConfigPushed);
        Assert.Contains(pushes, e => e.SerialNumber == fault && e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ProvisioningFailed);
        Assert.All(pushes, e => Assert.Equal(WorkflowStep.PushConfig, e.Step == WorkflowStep.Unspecified ? e.ProvisioningFailed.Step : e.Step));

        var byFault = await Replay("--fault-code", "9007");
        Assert.Equal(fault, Assert.Single(byFault).SerialNumber);

        var gold = await Replay("--plan", "gold", "--serial", ok);
        Assert.NotEmpty(gold);
        Assert.Contains(gold, e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded);
        Assert.Empty(await Replay("--plan", "silver", "--serial", ok));

        var since = await Replay("--since", DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        Assert.Empty(since);
    }
}

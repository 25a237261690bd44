using System.Text.RegularExpressions;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>`cpe campaign` against the real orchestrator and the stand-in devices.</summary>
[Collection(nameof(CliSystemCollection))]
public sealed partial class CampaignCommandTests(CliSystemFixture fixture)
{
    [Fact]
    public async Task Start_and_watch_rolls_out_to_completion_and_status_shows_the_waves()
    {
        var serials = Enumerable.Range(0, 5).Select(_ => CliSystemFixture.NewSerial("OK")).ToArray();
        await fixture.RegisterAsync(serials);

        var run = await fixture.RunAsync(["campaign", "start", "--name", "cli-rollout", "--serial", .. serials, "--waves", "40,100", "--concurrency", "2", "--watch"]);

        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        Assert.Contains("completed", run.Console);
        Assert.Contains("5 succeeded, 0 failed", run.Console);
        var id = CampaignIdPattern().Match(run.Console).Groups[1].Value;

        var status = await fixture.RunAsync("campaign", "status", id);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("1: 40% (2) done", status.Console);
        Assert.Contains("2: 100% (5) done", status.Console);

        var list = await fixture.RunAsync("campaign", "list");
        Assert.Contains(id, list.Console);

        var late = await fixture.RunAsync("campaign", "pause", id, "--reason", "too late");
        Assert.NotEqual(0, late.ExitCode);
        Assert.Contains("completed", late.Error);
    }

    [Fact]
    public async Task A_firmware_campaign_upgrades_the_selected_devices()
    {
        var serials = Enumerable.Range(0, 3).Select(_ => CliSystemFixture.NewSerial("OK")).ToArray();
        await fixture.RegisterAsync(serials);

        var run = await fixture.RunAsync(["campaign", "start", "--name", "cli-firmware", "--serial", .. serials, "--waves", "100",
            "--upgrade-firmware", "2.0.1", "--image", "https://images.example.net/hg/2.0.1.bin", "--watch"]);

        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        Assert.Contains("upgrades firmware to 2.0.1 (https://images.example.net/hg/2.0.1.bin)", run.Console);
        Assert.Contains("3 succeeded, 0 failed", run.Console);
        var device = await fixture.RunAsync("device", serials[0]);
        Assert.Contains("upgrade_firmware", device.Console);

        var noImage = await fixture.RunAsync("campaign", "start", "--name", "no-image", "--serial", serials[0], "--upgrade-firmware", "2.0.1");
        Assert.Equal(2, noImage.ExitCode);
        Assert.Contains("--upgrade-firmware needs --image", noImage.Error);
    }

    [Fact]
    public async Task Starting_as_an_operator_is_refused()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);
        var run = await CliRun.ExecuteAsync(["campaign", "start", "--name", "not-mine", "--serial", serial, "--server", fixture.System.GrpcAddress, "--token", SystemUnderTest.OperatorKey]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("admin", run.Error);
    }

    [Fact]
    public async Task Importing_plans_with_rollout_starts_a_campaign_per_plan_that_has_devices()
    {
        var plan = $"fresh-{Guid.NewGuid():N}"[..16];
        var path = await fixture.WriteFileAsync($"{plan}.yaml", $"""
            - name: {plan}
              data_enabled: true
              vlans:
                data_vlan: 10
            """);
        var run = await fixture.RunAsync("plans", "import", path, "--rollout");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"no campaign for {plan}: the selection matches no device", run.Console);
    }

    [GeneratedRegex("campaign ([0-9a-f-]{36})")]
    private static partial Regex CampaignIdPattern();
}

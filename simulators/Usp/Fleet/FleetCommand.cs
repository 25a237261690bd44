using System.CommandLine;
using Provisioning.Simulators.Usp.Agents;

namespace Provisioning.Simulators.Usp.Fleet;

/// <summary>The simulator's command line: a fleet of USP agents connected to one controller until stopped.</summary>
public static class FleetCommand
{
    public static RootCommand Create()
    {
        var url = new Option<Uri>("--url") { CustomParser = AbsoluteUri, Description = "the controller's WebSocket MTP", DefaultValueFactory = _ => new Uri("ws://127.0.0.1:8081/usp") };
        var mqtt = new Option<Uri?>("--mqtt") { CustomParser = AbsoluteUri, Description = "an MQTT broker instead of the WebSocket MTP (mqtt://host:1883)" };
        var count = new Option<int>("--count") { Description = "how many agents", DefaultValueFactory = _ => 100 };
        var prefix = new Option<string>("--prefix") { Description = "serial number prefix (endpoint IDs os::OUI-PREFIX000001...)", DefaultValueFactory = _ => "SIMUSP" };
        var controller = new Option<string>("--controller") { Description = "the controller's endpoint ID", DefaultValueFactory = _ => "self::provisioning-controller" };
        var topic = new Option<string?>("--topic") { Description = "the controller's MQTT topic (default usp/controller/<controller>)" };
        var seconds = new Option<int>("--seconds") { Description = "stop after this many seconds (0: until Ctrl+C)", DefaultValueFactory = _ => 0 };
        var secret = new Option<string?>("--secret") { Description = "every agent's own secret" };
        var secretSeed = new Option<string?>("--secret-seed") { Description = "per-agent secrets: AgentSecrets.Derive(SEED, endpoint id)" };
        var downloadError = new Option<uint?>("--download-error")
        {
            Description = "failing agents end every FirmwareImage Download() with this USP error in OperationComplete's cmd_failure "
                + "(7022 command failure, 7027 invalid command arguments, ...); without it the outcome of the real HTTP fetch",
        };
        var keepOldFirmware = new Option<bool>("--keep-old-firmware")
        {
            Description = "failing agents reboot on Activate() (Boot! FirmwareUpdated true) but come back with the old SoftwareVersion",
        };
        var failingPercent = new Option<int>("--failing-percent")
        {
            Description = "share of the fleet (0-100, spread evenly) that --download-error / --keep-old-firmware apply to",
            DefaultValueFactory = _ => 100,
        };
        downloadError.Validators.Add(r => { if (r.GetValueOrDefault<uint?>() is { } code && code is < 7000 or > 7999) r.AddError("--download-error must be a USP error code (7000-7999)"); });
        failingPercent.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 100) r.AddError("--failing-percent must be 0-100"); });
        count.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--count must be at least 1"); });
        seconds.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--seconds must not be negative"); });

        var root = new RootCommand("A fleet of simulated TR-369 USP agents that connect to a controller, onboard, answer its messages and report Boot!.")
        {
            url, mqtt, count, prefix, controller, topic, seconds, secret, secretSeed, downloadError, keepOldFirmware, failingPercent,
        };
        root.Validators.Add(r =>
        {
            if (r.GetResult(secret) is not null && r.GetResult(secretSeed) is not null) r.AddError("--secret and --secret-seed exclude each other");
        });
        root.SetAction(async (parse, cancellationToken) =>
        {
            var broker = parse.GetValue(mqtt);
            var webSocket = broker is null ? parse.GetValue(url) : null;
            Func<string, string>? secretFor = parse.GetValue(secret) is { } one ? _ => one
                : parse.GetValue(secretSeed) is { } seed ? eid => AgentSecrets.Derive(seed, eid)
                : null;
            var agents = parse.GetValue(count);
            await using var fleet = UspAgentFleet.Create(agents, i => UspAgentFleet.DefaultOptions(i, parse.GetValue(prefix)!, webSocket, broker,
                parse.GetValue(controller)!, parse.GetValue(topic), secretFor));
            var percent = parse.GetValue(failingPercent);
            for (var i = 0; i < fleet.Agents.Count; i++)
            {
                // Agent i fails when its share crosses a whole percent: 10% is every tenth agent.
                if ((i + 1) * percent / 100 == i * percent / 100) continue;
                fleet.Agents[i].DownloadError = parse.GetValue(downloadError);
                fleet.Agents[i].KeepsOldFirmware = parse.GetValue(keepOldFirmware);
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parse.GetValue(seconds) is > 0 and var limit) stop.CancelAfter(TimeSpan.FromSeconds(limit));

            await fleet.StartAsync(cancellationToken: stop.Token).ConfigureAwait(false);
            Console.WriteLine($"started {agents} USP agents against {(object?)webSocket ?? broker}");
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stop.Token).ConfigureAwait(false);
                    Console.WriteLine(fleet.Summary());
                }
            }
            catch (OperationCanceledException)
            {
            }
            Console.WriteLine("final: " + fleet.Summary());
            return 0;
        });
        return root;
    }

    // System.CommandLine has no Uri parser of its own.
    private static Uri? AbsoluteUri(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri)) return uri;
        result.AddError($"'{text}' is not an absolute URL");
        return null;
    }
}

using System.CommandLine;
using Provisioning.Cli.Demo;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe demo`: a newcomer's first look, against a running orchestrator with its adapters.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var acsUrl = new Option<string>("--acs-url")
        {
            Description = "The CWMP adapter's ACS URL the simulated CPEs contact",
            DefaultValueFactory = _ => "http://127.0.0.1:7547/",
        };
        var uspUrl = new Option<string>("--usp-url")
        {
            Description = "The USP adapter's WebSocket URL the simulated agents connect to",
            DefaultValueFactory = _ => "ws://127.0.0.1:8081/usp",
        };
        var controller = new Option<string>("--usp-controller")
        {
            Description = "The USP controller's endpoint ID",
            DefaultValueFactory = _ => "self::provisioning-controller",
        };
        var noUsp = new Option<bool>("--no-usp") { Description = "Only CWMP devices" };
        var duration = new Option<int>("--duration") { Description = "At most this many seconds of simulation", DefaultValueFactory = _ => 60 };

        var command = new Command("demo",
            "Register sample plans and devices, run simulated CWMP CPEs and USP agents (healthy and faulty), show their events and the failure report")
        {
            acsUrl, uspUrl, controller, noUsp, duration,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var acsText = parse.GetRequiredValue(acsUrl);
            var uspText = parse.GetRequiredValue(uspUrl);
            if (!Uri.TryCreate(acsText, UriKind.Absolute, out var acs) || acs.Scheme is not ("http" or "https"))
                throw new CliException($"--acs-url '{acsText}' is not an http:// or https:// URL");
            if (!Uri.TryCreate(uspText, UriKind.Absolute, out var usp) || usp.Scheme is not ("ws" or "wss"))
                throw new CliException($"--usp-url '{uspText}' is not a ws:// or wss:// URL");
            var seconds = parse.GetValue(duration);
            if (seconds is < 5 or > 3600) throw new CliException("--duration must be between 5 and 3600 seconds");

            using var connection = context.Connect(parse);
            var run = new DemoRun(connection, context.Console, new DemoOptions(
                acs, parse.GetValue(noUsp) ? null : usp, parse.GetRequiredValue(controller), TimeSpan.FromSeconds(seconds)));
            return await run.ExecuteAsync(cancellationToken);
        });
        return command;
    }
}

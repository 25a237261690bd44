using System.CommandLine;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe demo`: placeholder until the simulators land.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Register sample devices and plans, run CWMP and USP simulators, show events and the failure report");
        command.SetAction(_ =>
        {
            context.Terminal.Error.WriteLine("cpe: demo is not available yet");
            return ExitCodes.Failed;
        });
        return command;
    }
}

using Provisioning.Cli;

return await CliApplication.RunAsync(args, CliTerminal.System);

using Provisioning.Southbound.Usp;

await UspAdapterApplication.Build(args).RunAsync();

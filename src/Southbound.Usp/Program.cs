using Provisioning.ServiceDefaults.Settings;
using Provisioning.Southbound.Usp;

return await StartRefusal.RunAsync("usp-controller", () => Task.FromResult(UspAdapterApplication.Build(args)));

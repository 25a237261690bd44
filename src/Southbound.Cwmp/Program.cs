using Provisioning.ServiceDefaults.Settings;
using Provisioning.Southbound.Cwmp;

return await StartRefusal.RunAsync("cwmp-acs", () => Task.FromResult(CwmpAdapterApplication.Build(args)));

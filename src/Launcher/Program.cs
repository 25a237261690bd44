using Provisioning.Launcher;
using Provisioning.ServiceDefaults.Settings;

return await StartRefusal.RunAsync("cpe-launcher", () => OneProcessApplication.BuildAsync(args));

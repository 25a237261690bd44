using Provisioning.Orchestrator.Hosting;
using Provisioning.ServiceDefaults.Settings;

return await StartRefusal.RunAsync("cpe-orchestrator", () => OrchestratorApplication.BuildAsync(args));

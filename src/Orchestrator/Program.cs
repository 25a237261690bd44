using Provisioning.Orchestrator.Hosting;

var app = await OrchestratorApplication.BuildAsync(args);
await app.RunAsync();

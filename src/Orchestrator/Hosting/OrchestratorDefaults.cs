namespace Provisioning.Orchestrator.Hosting;

public static class OrchestratorDefaults
{
    public const string GrpcUrl = "http://127.0.0.1:50051";
}

using Provisioning.Testing;

namespace Provisioning.Security.Tests.Tls;

/// <summary>The whole system with every listener on TLS (https:// URLs) and the generated test PKI.</summary>
public static class TlsSystem
{
    public static Dictionary<string, string?> Settings(TestCertificates pki)
    {
        var grpc = $"https://127.0.0.1:{FreePort.Next()}";
        var cwmpGrpc = $"https://127.0.0.1:{FreePort.Next()}";
        var uspGrpc = $"https://127.0.0.1:{FreePort.Next()}";
        var settings = new Dictionary<string, string?>
        {
            ["Orchestrator:GrpcUrl"] = grpc,
            ["Cwmp:OrchestratorUrl"] = grpc,
            ["Usp:OrchestratorUrl"] = grpc,
            ["Cwmp:GrpcUrl"] = cwmpGrpc,
            ["Usp:GrpcUrl"] = uspGrpc,
            ["Orchestrator:Adapters:Cwmp"] = cwmpGrpc,
            ["Orchestrator:Adapters:Usp"] = uspGrpc,
            ["Cwmp:AcsUrl"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["Usp:WebSocketUrl"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["Cwmp:Auth:CacheDuration"] = "00:00:00",
        };
        foreach (var section in new[] { "Orchestrator:Tls", "Cwmp:Tls", "Usp:Tls" })
            foreach (var (key, value) in pki.For(section)) settings[key] = value;
        return settings;
    }
}

using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Provisioning.Orchestrator.Hosting;
using Provisioning.ServiceDefaults.Settings;

namespace Provisioning.Orchestrator.Tests.Hosting;

/// <summary>
/// The production hosts start nothing of their own: no PostgreSQL cluster (initdb), no broker (mosquitto), no adapter
/// in the orchestrator's process. Those are the launcher's (src/Launcher), which ./scripts/run.sh runs.
/// </summary>
public sealed class ProductionHostTests
{
    [Fact]
    public async Task An_orchestrator_with_no_connection_string_refuses_to_start_and_says_what_to_set()
    {
        var refusal = await Assert.ThrowsAsync<MissingSettingException>(() => OrchestratorApplication.BuildAsync([], builder =>
            builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:Marten", "")])));

        Assert.Contains("ConnectionStrings__Marten", refusal.Message);
        Assert.Contains("./scripts/run.sh", refusal.Message);
    }

    [Fact]
    public async Task The_orchestrator_process_says_why_it_did_not_start_without_a_stack_trace_and_exits_2()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Provisioning.Orchestrator.dll")])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Marten"] = "";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(StartRefusal.ExitCode, process.ExitCode);
        Assert.Contains("cpe-orchestrator: not started: No PostgreSQL is configured: set ConnectionStrings__Marten", await stderr);
        Assert.DoesNotContain("   at ", await stderr + await stdout);
    }

    [Theory]
    [InlineData("Provisioning.Orchestrator")]
    [InlineData("Provisioning.Southbound.Cwmp")]
    [InlineData("Provisioning.Southbound.Usp")]
    public void A_production_assembly_holds_no_embedded_store_or_local_broker_and_the_orchestrator_no_adapter(string name)
    {
        var assembly = Assembly.Load(name);
        var launcherParts = assembly.GetTypes().Where(t => t.Name is "EmbeddedPostgres" or "LocalBroker" or "MosquittoProcess" or "HostedAdapters").ToList();
        Assert.Empty(launcherParts);
        if (name == "Provisioning.Orchestrator")
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), r => r.Name!.StartsWith("Provisioning.Southbound", StringComparison.Ordinal));
    }
}

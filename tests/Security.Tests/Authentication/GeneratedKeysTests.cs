using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Security;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Authentication;

/// <summary>The embedded default with no keys configured: keys generated once, kept in an owner-only file that the log names; the keys themselves never logged.</summary>
public sealed class GeneratedKeysTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cpe-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Keys_are_generated_at_first_start_kept_across_restarts_and_never_logged()
    {
        var file = Path.Combine(_directory, ".data", "keys.json");
        var logs = new CapturedLogs();
        await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:test-admin:Key"] = null,
            ["Auth:ApiKeys:test-operator:Key"] = null,
            ["Auth:InternalKey"] = null,
            ["Auth:KeyFile"] = file,
        }, builder => builder.Logging.AddProvider(logs));

        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var keys = System.Text.Json.JsonSerializer.Deserialize<GeneratedKeys>(await File.ReadAllTextAsync(file))!;
        Assert.Contains(logs.Lines, l => l.Contains(file) && l.Contains("generated an admin key"));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(keys.AdminKey));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(keys.InternalKey));

        // The generated admin key is the operator's credential; nothing else gets in.
        await new InventoryService.InventoryServiceClient(system.Invoker(keys.AdminKey)).ListDevicesAsync(new ListDevicesRequest());
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => new InventoryService.InventoryServiceClient(system.Invoker(null)).ListDevicesAsync(new ListDevicesRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        // The generated internal key is what the in-process adapters use to reach the orchestrator.
        await new DeviceContacts.DeviceContactsClient(system.Invoker(keys.InternalKey)).LookupDeviceAsync(new LookupDeviceRequest { Username = "x" });

        await system.StopOrchestratorAsync();
        logs.Clear();
        await system.StartOrchestratorAsync();

        var again = System.Text.Json.JsonSerializer.Deserialize<GeneratedKeys>(await File.ReadAllTextAsync(file))!;
        Assert.Equal(keys, again);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(keys.AdminKey));
        await new InventoryService.InventoryServiceClient(system.Invoker(keys.AdminKey)).ListDevicesAsync(new ListDevicesRequest());
    }

    [Fact]
    public async Task Configured_keys_generate_nothing()
    {
        var file = Path.Combine(_directory, "keys.json");
        await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Auth:KeyFile"] = file });
        Assert.False(File.Exists(file));
    }
}

using Grpc.Core;
using Grpc.Reflection.V1Alpha;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Authentication;

/// <summary>The adapters' internal API is neither reachable with a northbound credential nor described to strangers.</summary>
public sealed class InternalBoundaryTests
{
    [Fact]
    public async Task An_api_key_configured_with_the_adapter_role_fails_the_start_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:oss-bridge:Key"] = "a-key-someone-thought-was-internal-0123",
            ["Auth:ApiKeys:oss-bridge:Role"] = "Adapter",
        }));
        Assert.Contains("Auth:ApiKeys:oss-bridge:Role", error.Message);
        Assert.Contains("Auth:InternalKey", error.Message);
    }

    [Fact]
    public async Task Reflection_lists_the_northbound_services_and_not_the_internal_ones()
    {
        await using var system = await SystemUnderTest.StartAsync();
        // Reflection stays open (no credential), so it must describe only what a northbound caller may call.
        var alpha = await ListAsync(new ServerReflection.ServerReflectionClient(system.Invoker(null)).ServerReflectionInfo());
        var v1 = await ListV1Async(new Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(system.Invoker(null)).ServerReflectionInfo());

        foreach (var services in new[] { alpha, v1 })
        {
            Assert.Contains("cpe.provisioning.v1.ProvisioningService", services);
            Assert.Contains("cpe.provisioning.v1.InventoryService", services);
            Assert.Contains("grpc.health.v1.Health", services);
            Assert.DoesNotContain(services, s => s.Contains("DeviceContacts", StringComparison.Ordinal));
        }
        // Nor is its file reachable by symbol.
        using var call = new ServerReflection.ServerReflectionClient(system.Invoker(null)).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "cpe.southbound.v1.DeviceContacts" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.NotNull(call.ResponseStream.Current.ErrorResponse);
    }

    private static async Task<List<string>> ListAsync(AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call)
    {
        using (call)
        {
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        }
    }

    private static async Task<List<string>> ListV1Async(AsyncDuplexStreamingCall<Grpc.Reflection.V1.ServerReflectionRequest, Grpc.Reflection.V1.ServerReflectionResponse> call)
    {
        using (call)
        {
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        }
    }
}

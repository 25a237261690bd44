using Grpc.Net.Client;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Resilience.Tests;

public sealed class TcpLoadBalancerTests
{
    [Fact]
    public async Task Grpc_calls_pass_through_and_fail_over_to_the_next_instance()
    {
        await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Orchestrator:HostAdapters"] = "false" });
        var port = new Uri(system.GrpcAddress).Port;
        await using var balancer = new TcpLoadBalancer([FreePort.Next(), port]);
        using var channel = TestChannels.ForAddress(balancer.Address);
        var client = new InventoryService.InventoryServiceClient(channel);
        for (var i = 0; i < 3; i++) await client.ListServicePlansAsync(new ListServicePlansRequest());
    }
}

using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Authentication;

/// <summary>The adapters' DeviceAdapter servers take calls only with the internal key; the orchestrator sends it.</summary>
public sealed class InternalChannelTests : IAsyncLifetime
{
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync() => _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Workflow:AuthenticateTimeout"] = "00:00:02" });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    private static DeviceAdapter.DeviceAdapterClient Adapter(string address, string? key)
    {
        var channel = GrpcChannel.ForAddress(address);
        var invoker = channel.CreateCallInvoker();
        if (key is not null) invoker = invoker.Intercept(m => { m.Add("authorization", $"Bearer {key}"); return m; });
        return new DeviceAdapter.DeviceAdapterClient(invoker);
    }

    [Theory]
    [InlineData("Cwmp:GrpcUrl")]
    [InlineData("Usp:GrpcUrl")]
    public async Task An_adapter_refuses_calls_without_the_internal_key(string setting)
    {
        var address = _system.Settings[setting]!;
        var request = new ReleaseRequest { WorkflowId = Guid.NewGuid().ToString(), Device = new DeviceRef { SerialNumber = "X", EndpointId = "proto::x" } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => Adapter(address, null).ReleaseAsync(request).ResponseAsync);
        var operatorKey = await Assert.ThrowsAsync<RpcException>(() => Adapter(address, SystemUnderTest.AdminKey).ReleaseAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, operatorKey.StatusCode);

        // With the key the call gets past the check (whatever the adapter then answers about an unknown device).
        try { await Adapter(address, SystemUnderTest.InternalKey).ReleaseAsync(request); }
        catch (RpcException e) { Assert.NotEqual(StatusCode.Unauthenticated, e.StatusCode); }
    }

    [Fact]
    public async Task The_orchestrator_reaches_its_adapters_with_the_key()
    {
        // A device that never connects: the authenticate step reaches the adapter (authorized) and fails as unreachable,
        // not as an authentication error of the internal channel.
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = new DeviceRef { SerialNumber = "INT0001", Oui = "00D09E", Protocol = DeviceProtocol.Usp, EndpointId = "proto::int0001" },
        } });
        var started = await _system.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = "INT0001", Protocol = DeviceProtocol.Usp, EndpointId = "proto::int0001" },
        });
        var events = await WaitForFailureAsync(started.Workflow.WorkflowId);
        Assert.DoesNotContain("Unauthenticated", events.ProvisioningFailed.Reason);
        Assert.Contains(events.ProvisioningFailed.Result, new[] { WorkflowResult.DeviceUnreachable, WorkflowResult.TimedOut });
    }

    private async Task<ProvisioningEvent> WaitForFailureAsync(string workflowId)
    {
        var workflow = await _system.WaitForTerminalAsync(workflowId, TimeSpan.FromSeconds(40));
        var events = await _system.EventsAsync(workflow.WorkflowId);
        return events.Single(e => e.ProvisioningFailed is not null);
    }
}

using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Authentication;

/// <summary>Every northbound call needs a credential; operators provision and read, admins also keep inventory and plans.</summary>
public sealed class RoleTests : IAsyncLifetime
{
    private SystemUnderTest _system = null!;

    // No adapters: a workflow then stays in its first step (adapter unavailable, retried) long enough to be cancelled.
    public async Task InitializeAsync() => _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Orchestrator:HostAdapters"] = "false" });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    private ProvisioningService.ProvisioningServiceClient Provisioning(string? token) => new(_system.Invoker(token));
    private InventoryService.InventoryServiceClient Inventory(string? token) => new(_system.Invoker(token));

    [Fact]
    public async Task A_call_without_a_credential_is_unauthenticated()
    {
        var provisioning = await Assert.ThrowsAsync<RpcException>(() => Provisioning(null).ListWorkflowsAsync(new ListWorkflowsRequest()).ResponseAsync);
        var inventory = await Assert.ThrowsAsync<RpcException>(() => Inventory(null).ListDevicesAsync(new ListDevicesRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, provisioning.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, inventory.StatusCode);
    }

    [Fact]
    public async Task A_stream_without_a_credential_is_unauthenticated()
    {
        using var call = Provisioning(null).StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = false });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData(SystemUnderTest.InternalKey + "x")]
    [InlineData("a.b.c")]
    public async Task An_unknown_key_is_unauthenticated(string token)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Provisioning(token).ListWorkflowsAsync(new ListWorkflowsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task An_operator_provisions_and_reads_but_may_not_change_inventory()
    {
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("OPR0001") });
        var operatorCalls = Provisioning(SystemUnderTest.OperatorKey);

        var started = await operatorCalls.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = "OPR0001", Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });
        var read = await operatorCalls.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = started.Workflow.WorkflowId });
        Assert.Equal("OPR0001", read.Device.SerialNumber);
        await operatorCalls.CancelWorkflowAsync(new CancelWorkflowRequest { WorkflowId = started.Workflow.WorkflowId, Reason = "test" });

        var upsert = await Assert.ThrowsAsync<RpcException>(() => Inventory(SystemUnderTest.OperatorKey).UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("OPR0002") }).ResponseAsync);
        var list = await Assert.ThrowsAsync<RpcException>(() => Inventory(SystemUnderTest.OperatorKey).ListDevicesAsync(new ListDevicesRequest()).ResponseAsync);
        var rebuild = await Assert.ThrowsAsync<RpcException>(() => Inventory(SystemUnderTest.OperatorKey).RebuildProjectionsAsync(new RebuildProjectionsRequest()).ResponseAsync);
        Assert.All([upsert, list, rebuild], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
    }

    [Fact]
    public async Task The_cancelling_principal_is_recorded()
    {
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("OPR0003") });
        var started = await Provisioning(SystemUnderTest.OperatorKey).ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = "OPR0003", Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
        });
        await Provisioning(SystemUnderTest.OperatorKey).CancelWorkflowAsync(new CancelWorkflowRequest { WorkflowId = started.Workflow.WorkflowId });

        var events = await _system.EventsAsync(started.Workflow.WorkflowId);
        Assert.Contains(events, e => e.ProvisioningCancelled?.CancelledBy == "test-operator");
    }

    [Fact]
    public async Task An_admin_changes_inventory_and_plans()
    {
        var admin = Inventory(SystemUnderTest.AdminKey);
        await admin.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("ADM0001") });
        await admin.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan { Name = "gold", DataEnabled = true } });
        var devices = await admin.ListDevicesAsync(new ListDevicesRequest());
        Assert.Contains(devices.Devices, d => d.Identity.SerialNumber == "ADM0001");
        await admin.RebuildProjectionsAsync(new RebuildProjectionsRequest());
    }

    [Fact]
    public async Task The_adapter_contact_service_wants_the_internal_key_not_a_user_key()
    {
        var request = new LookupDeviceRequest { Device = new DeviceRef { SerialNumber = "NOPE" }, Realm = "r" };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => new DeviceContacts.DeviceContactsClient(_system.Invoker(null)).LookupDeviceAsync(request).ResponseAsync);
        var admin = await Assert.ThrowsAsync<RpcException>(() => new DeviceContacts.DeviceContactsClient(_system.Invoker(SystemUnderTest.AdminKey)).LookupDeviceAsync(request).ResponseAsync);
        var adapter = await new DeviceContacts.DeviceContactsClient(_system.Invoker(SystemUnderTest.InternalKey)).LookupDeviceAsync(request);

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, admin.StatusCode);
        Assert.False(adapter.Registered);
    }

    [Fact]
    public async Task The_internal_key_is_no_operator_credential()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Provisioning(SystemUnderTest.InternalKey).ListWorkflowsAsync(new ListWorkflowsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Reflection_and_health_stay_anonymous()
    {
        var health = await new Health.HealthClient(_system.Invoker(null)).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new ServerReflection.ServerReflectionClient(_system.Invoker(null)).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(reflection.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "cpe.provisioning.v1.ProvisioningService");
    }

    internal static Device Device(string serial) => new()
    {
        Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG8245", Protocol = DeviceProtocol.Cwmp },
        ServicePlan = "gold",
        CwmpUsername = $"cpe-{serial}",
        CwmpPassword = $"cwmp-secret-{serial}",
        ConnectionRequestUsername = "cr",
        ConnectionRequestPassword = $"cr-secret-{serial}",
    };
}

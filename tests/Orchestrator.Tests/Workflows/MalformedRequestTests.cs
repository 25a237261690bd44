using Grpc.Core;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>
/// A request body that is not a protobuf message of the method's type is the client's mistake: INVALID_ARGUMENT
/// saying so, on every gRPC server of the system (northbound and internal), nothing logged as a server error and
/// nothing changed. The bytes go over real HTTP/2 through a raw method, as a client with a stale or broken stub sends them.
/// </summary>
public sealed class MalformedRequestTests(MalformedRequestTests.HostedSystem hosted) : IClassFixture<MalformedRequestTests.HostedSystem>
{
    /// <summary>Field 1, length-delimited, then a length varint that never ends: no message type parses it.</summary>
    private static readonly byte[] TruncatedVarint = [0x0A, 0xFF, 0xFF];
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);
    private readonly SystemUnderTest _system = hosted.System;
    private readonly CapturedLogs _logs = hosted.Logs;

    /// <summary>The system with its adapters in-process (the default), so their DeviceAdapter servers are reachable too.</summary>
    public sealed class HostedSystem : IAsyncLifetime
    {
        public CapturedLogs Logs { get; } = new();
        public SystemUnderTest System { get; private set; } = null!;

        public async Task InitializeAsync() => System = await SystemUnderTest.StartAsync(configure: builder => builder.Logging.AddProvider(Logs));

        public async Task DisposeAsync() => await System.DisposeAsync();
    }

    [Fact]
    public async Task A_request_body_that_is_not_the_methods_message_is_an_invalid_argument_and_changes_nothing()
    {
        var eventsBefore = (await _system.EventsAsync()).Count;
        var workflowsBefore = (await _system.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { PageSize = 100 })).Workflows.Count;

        var error = await Assert.ThrowsAsync<RpcException>(() => UnaryAsync(_system.Invoker(SystemUnderTest.AdminKey), "/cpe.provisioning.v1.ProvisioningService/ProvisionDevice"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("malformed request message: ", error.Status.Detail);
        Assert.Equal(eventsBefore, (await _system.EventsAsync()).Count);
        Assert.Equal(workflowsBefore, (await _system.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { PageSize = 100 })).Workflows.Count);
        Assert.DoesNotContain(_logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("InvalidProtocolBufferException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_request_to_a_server_streaming_method_is_an_invalid_argument()
    {
        var method = RawMethod(MethodType.ServerStreaming, "/cpe.provisioning.v1.ProvisioningService/StreamProvisioningEvents");
        using var call = _system.Invoker(SystemUnderTest.AdminKey).AsyncServerStreamingCall(method, null, new CallOptions(), TruncatedVarint);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("malformed request message: ", error.Status.Detail);
        Assert.DoesNotContain(_logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("InvalidProtocolBufferException", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Orchestrator:GrpcUrl", "/cpe.southbound.v1.DeviceContacts/ReportDeviceContact")]
    [InlineData("Cwmp:GrpcUrl", "/cpe.southbound.v1.DeviceAdapter/Authenticate")]
    [InlineData("Usp:GrpcUrl", "/cpe.southbound.v1.DeviceAdapter/PushConfig")]
    public async Task A_malformed_request_to_an_internal_service_is_an_invalid_argument(string server, string method)
    {
        using var channel = TestChannels.ForAddress(_system.Settings[server]!, token: SystemUnderTest.InternalKey);

        var error = await Assert.ThrowsAsync<RpcException>(() => UnaryAsync(channel.CreateCallInvoker(), method));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("malformed request message: ", error.Status.Detail);
    }

    private static async Task UnaryAsync(CallInvoker invoker, string fullName)
    {
        using var call = invoker.AsyncUnaryCall(RawMethod(MethodType.Unary, fullName), null, new CallOptions(), TruncatedVarint);
        await call.ResponseAsync;
    }

    private static Method<byte[], byte[]> RawMethod(MethodType type, string fullName)
    {
        var parts = fullName.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return new Method<byte[], byte[]>(type, parts[0], parts[1], Raw, Raw);
    }
}

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>A client's mistake gets INVALID_ARGUMENT naming the field, and changes nothing.</summary>
[Collection(nameof(OrchestratorCollection))]
public sealed class BadInputTests(OrchestratorFixture fixture)
{
    private static readonly Timestamp BeyondYear9999 = new() { Seconds = 253_402_300_800 };
    private static readonly Timestamp NegativeNanos = new() { Seconds = 0, Nanos = -1 };

    [Fact]
    public async Task An_out_of_range_timestamp_is_an_invalid_argument_not_an_internal_error()
    {
        var calls = new Func<Task>[]
        {
            () => fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { CreatedFrom = BeyondYear9999 }).ResponseAsync,
            () => fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { CreatedTo = NegativeNanos }).ResponseAsync,
            () => fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest { From = BeyondYear9999 }).ResponseAsync,
            () => fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest { To = new Timestamp { Seconds = -62_135_596_801 } }).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("valid timestamp", error.Status.Detail);
        }
    }

    [Fact]
    public async Task Provisioning_with_an_unspecified_protocol_is_refused_and_starts_nothing()
    {
        var before = (await fixture.System.EventsAsync()).Count;
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = fixture.NewSerial("UNSPEC"), Oui = "00D09E", Protocol = DeviceProtocol.Unspecified },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("device.protocol", error.Status.Detail);
        Assert.Equal(before, (await fixture.System.EventsAsync()).Count);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("Time..NTPServer1")]
    [InlineData("Time.NTPServer1.")]
    [InlineData(".Time.NTPServer1")]
    [InlineData("Time.NTP Server1")]
    [InlineData("1.Enable")]
    [InlineData("Time.NTPServér")]
    public async Task A_plan_parameter_name_outside_the_data_model_path_grammar_is_refused_and_not_stored(string name)
    {
        var plan = OrchestratorFixture.GoldPlan("bad-path-" + Guid.NewGuid().ToString("N")[..8]);
        plan.ExtraParameters[name] = "x";

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = plan }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("extra_parameters", error.Status.Detail);
        var notStored = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.GetServicePlanAsync(new GetServicePlanRequest { Name = plan.Name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, notStored.StatusCode);
    }

    [Fact]
    public async Task A_plan_parameter_in_the_path_grammar_is_stored()
    {
        var plan = OrchestratorFixture.GoldPlan("good-path-" + Guid.NewGuid().ToString("N")[..8]);
        plan.ExtraParameters["Time.NTPServer1"] = "pool.ntp.org";
        plan.ExtraParameters["X_00D09E_Vendor.Radio.2.Mode-B"] = "on";

        var stored = await fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = plan });

        Assert.Equal("pool.ntp.org", stored.ExtraParameters["Time.NTPServer1"]);
    }

    [Fact]
    public async Task An_open_network_is_stored_without_a_key_and_a_personal_one_without_a_key_is_refused()
    {
        var open = OrchestratorFixture.GoldPlan("open-" + Guid.NewGuid().ToString("N")[..8]);
        open.Wifi[0].SecurityMode = "None";
        open.Wifi[0].Key = "";
        var stored = await fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = open });
        Assert.Equal("None", stored.Wifi[0].SecurityMode);

        var keyless = OrchestratorFixture.GoldPlan("keyless-" + Guid.NewGuid().ToString("N")[..8]);
        keyless.Wifi[0].Key = "";
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = keyless }).ResponseAsync);
        Assert.Contains("wifi[0].key", error.Status.Detail);

        var unknown = OrchestratorFixture.GoldPlan("unknown-mode-" + Guid.NewGuid().ToString("N")[..8]);
        unknown.Wifi[0].SecurityMode = "WEP-128";
        error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = unknown }).ResponseAsync);
        Assert.Contains("wifi[0].security_mode", error.Status.Detail);
    }
}

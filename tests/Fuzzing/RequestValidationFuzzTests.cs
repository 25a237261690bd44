using CsCheck;
using Google.Protobuf;
using Grpc.Core;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Grpc;
using Provisioning.Testing;
using Xunit.Abstractions;

namespace Provisioning.Fuzzing;

/// <summary>
/// The northbound request validation under hostile messages: the real validation code in-process for the bulk, and
/// a smaller sample through a running orchestrator. The only error is INVALID_ARGUMENT (an RpcException) naming fields.
/// </summary>
public sealed class RequestValidationFuzzTests(ITestOutputHelper output)
{
    private static HostileInput Target(string name) => new(name,
        e => e is RpcException { StatusCode: StatusCode.InvalidArgument } || e is InvalidProtocolBufferException,
        allocationBound: 32L * 1024 * 1024, perInputLimit: TimeSpan.FromSeconds(2));

    private static void ValidateDevice(Device device)
    {
        var v = new RequestValidation();
        InventoryValidation.Validate(v, device, "device.");
        v.ThrowIfInvalid();
    }

    private static void ValidatePlan(ServicePlan plan)
    {
        var v = new RequestValidation();
        InventoryValidation.Validate(v, plan, "plan.");
        v.ThrowIfInvalid();
        // An accepted plan must render: the validation is what stands between the admin API and the renderer.
        plan.ToDocument();
    }

    [Fact]
    public void Generated_devices_are_accepted_or_refused_as_invalid_arguments()
    {
        var target = Target("device validation");
        var inputs = FuzzBudget.Of(12_000);
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            RequestGenerators.Device.Sample(d => target.Check(d, ValidateDevice, x => x.ToString()), iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} devices, {target.Rejected} refused");
        Assert.InRange(target.Rejected, 1, target.Inputs);
    }

    [Fact]
    public void Generated_service_plans_are_accepted_or_refused_as_invalid_arguments()
    {
        var target = Target("plan validation");
        var inputs = FuzzBudget.Of(12_000);
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            RequestGenerators.ServicePlan.Sample(p => target.Check(p, ValidatePlan, x => x.ToString()), iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} plans, {target.Rejected} refused");
        Assert.InRange(target.Rejected, 1, target.Inputs);
    }

    [Fact]
    public void Mutated_wire_bytes_of_requests_parse_and_validate_or_fail_cleanly()
    {
        var target = Target("wire bytes + validation");
        var inputs = FuzzBudget.Of(6_000);
        var gen = Gen.Select(RequestGenerators.Device, Mutation.Gen.List[1, 4])
            .Select((device, mutations) => Mutation.Apply(new UpsertDeviceRequest { Device = device }.ToByteArray(), mutations));
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            gen.Sample(bytes => target.Check(bytes, b => ValidateDevice(UpsertDeviceRequest.Parser.ParseFrom(b).Device), b => Convert.ToHexString(b)),
                iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} mutated requests, {target.Rejected} refused");
    }

    [Fact]
    public void A_refusal_stays_small_whatever_the_input_echoed_in_field_names()
    {
        // Found by this fuzzing: a 70,000-character map key became a field name in the status, which travels in HTTP/2
        // headers (64 KiB at the client), so the client saw UNAVAILABLE instead of INVALID_ARGUMENT.
        var plan = new ServicePlan { Name = "p" };
        plan.ExtraParameters[new string('k', 70_000) + " x"] = "v";
        for (var i = 0; i < 5000; i++) plan.ExtraParameters[$"bad name {i}"] = "v";
        var error = Assert.Throws<RpcException>(() => ValidatePlan(plan));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var size = error.Status.Detail.Length + error.Trailers.Sum(t => t.IsBinary ? t.ValueBytes.Length : t.Value.Length);
        Assert.InRange(size, 1, 16 * 1024);
    }

    [Fact]
    public async Task A_running_orchestrator_answers_generated_requests_with_a_result_or_invalid_argument()
    {
        await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Orchestrator:HostAdapters"] = "false" });
        var inputs = (int)FuzzBudget.Of(150);
        var statuses = new Dictionary<StatusCode, int>();
        var requests = RequestGenerators.ProvisionDevice.Array[inputs].Single();
        var devices = RequestGenerators.Device.Array[inputs].Single();
        var plans = RequestGenerators.ServicePlan.Array[inputs].Single();

        async Task Call(Func<Task> call)
        {
            var status = StatusCode.OK;
            var detail = "";
            try { await call(); }
            catch (RpcException e) { status = e.StatusCode; detail = e.Status.Detail; }
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is StatusCode.OK or StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted,
                $"unexpected {status}: {detail}");
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        for (var i = 0; i < inputs; i++)
        {
            var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: deadline.Token);
            await Call(() => system.Provisioning.ProvisionDeviceAsync(requests[i], options).ResponseAsync);
            await Call(() => system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = devices[i] }, options).ResponseAsync);
            await Call(() => system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = plans[i] }, options).ResponseAsync);
        }
        output.WriteLine(string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(statuses.GetValueOrDefault(StatusCode.InvalidArgument) > 0);
        // The server is still healthy afterwards.
        await system.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest());
    }
}

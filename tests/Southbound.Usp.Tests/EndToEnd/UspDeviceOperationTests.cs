using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Security;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.EndToEnd;

/// <summary>Issue 18: reboot, factory reset, live read and ad-hoc write of a connected USP agent, each a workflow of its own.</summary>
[Collection(nameof(UspSystemCollection))]
public sealed class UspDeviceOperationTests(UspSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Ssid = "Device.WiFi.SSID.1.SSID";
    private const string Passphrase = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase";

    /// <summary>A registered agent, connected and provisioned zero-touch (its first workflow has ended).</summary>
    private async Task<(string Serial, SimulatedUspAgent Agent)> ProvisionedAgentAsync(string prefix)
    {
        var serial = fixture.NewSerial(prefix);
        await fixture.RegisterAsync(serial);
        var agent = fixture.StartAgent(serial);
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, first.Result);
        return (serial, agent);
    }

    private static string[] PayloadsOf(IEnumerable<ProvisioningEvent> events) => events.Select(e => e.PayloadCase.ToString()).ToArray();

    [Fact]
    public async Task Reboot_is_an_Operate_of_Device_Reboot_and_the_agent_comes_back()
    {
        var (serial, agent) = await ProvisionedAgentAsync("UOPRB");
        var connects = agent.Statistics.Connects;

        var response = await fixture.System.Provisioning.RebootDeviceAsync(
            new DeviceOperationRequest { SerialNumber = serial, Wait = true }, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(WorkflowResult.Success, response.Workflow.Result);
        Assert.Equal(WorkflowKind.Reboot, response.Workflow.Kind);
        var events = await fixture.System.EventsAsync(response.Workflow.WorkflowId);
        Assert.Equal(["ProvisioningRequested", "DeviceAuthenticated", "RebootAccepted", "ProvisioningSucceeded"], PayloadsOf(events));
        Assert.All(events, e => Assert.Equal(response.Workflow.TraceId, e.TraceId));
        await Eventually.TrueAsync(() => agent.Statistics.Connects > connects, "the rebooted agent reconnects", Patience);
    }

    [Fact]
    public async Task Factory_reset_is_an_Operate_of_Device_FactoryReset_and_its_answer_ends_the_workflow()
    {
        var (serial, _) = await ProvisionedAgentAsync("UOPFR");

        var response = await fixture.System.Provisioning.FactoryResetDeviceAsync(
            new DeviceOperationRequest { SerialNumber = serial, Wait = true }, deadline: DateTime.UtcNow + Patience);

        var workflow = response.Workflow;
        Assert.Equal(WorkflowKind.FactoryReset, workflow.Kind);
        // The simulator does not know the command yet (7026): its refusal is the device's fault at factory_reset.
        if (workflow.Result != WorkflowResult.Success)
        {
            Assert.Equal(WorkflowResult.OperationFailed, workflow.Result);
            Assert.Equal(WorkflowStep.FactoryReset, workflow.FailedStep);
            Assert.Equal(7026u, workflow.FaultCode);
        }
        else
        {
            var events = await fixture.System.EventsAsync(workflow.WorkflowId);
            Assert.Contains(events, e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.FactoryResetAccepted);
        }
    }

    [Fact]
    public async Task Get_answers_the_values_read_and_records_them_with_secrets_masked()
    {
        var (serial, _) = await ProvisionedAgentAsync("UOPGT");

        var response = await fixture.System.Provisioning.GetDeviceParametersAsync(
            new GetDeviceParametersRequest { SerialNumber = serial, ParameterNames = { Ssid, Passphrase, "Device.DeviceInfo." } }, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(WorkflowResult.Success, response.Workflow.Result);
        Assert.Equal("Usp-24", response.Values.Single(v => v.Name == Ssid).Value);
        Assert.Equal(serial, response.Values.Single(v => v.Name == "Device.DeviceInfo.SerialNumber").Value);
        Assert.Equal("********", response.Values.Single(v => v.Name == Passphrase).Value);
        var read = (await fixture.System.EventsAsync(response.Workflow.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ParametersRead);
        Assert.Equal(WorkflowStep.GetParameters, read.Step);
        Assert.Equal("Usp-24", read.ParametersRead.Values.Single(v => v.Name == Ssid).Value);
        Assert.DoesNotContain(read.ParametersRead.Values, v => v.Value.Contains("usp-wifi-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Set_by_an_admin_is_written_recorded_with_secrets_masked_and_audited_and_refused_for_an_operator()
    {
        var (serial, agent) = await ProvisionedAgentAsync("UOPST");
        var asOperator = new ProvisioningService.ProvisioningServiceClient(fixture.System.Invoker(SystemUnderTest.OperatorKey));
        var set = new SetDeviceParametersRequest
        {
            SerialNumber = serial,
            Wait = true,
            Parameters =
            {
                new ParameterValue { Name = Ssid, Value = "Ops-Usp" },
                new ParameterValue { Name = Passphrase, Value = "ops-usp-secret" },
            },
        };

        var refused = await Assert.ThrowsAsync<RpcException>(() => asOperator.SetDeviceParametersAsync(set).ResponseAsync);
        var response = await fixture.System.Provisioning.SetDeviceParametersAsync(set, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(WorkflowResult.Success, response.Workflow.Result);
        Assert.Equal("Ops-Usp", agent.DataModel[Ssid]);
        Assert.Equal("ops-usp-secret", agent.DataModel[Passphrase]);
        var events = await fixture.System.EventsAsync(response.Workflow.WorkflowId);
        var written = events.Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ParametersWritten).ParametersWritten;
        Assert.Equal("Ops-Usp", written.Parameters.Single(p => p.Name == Ssid).Value);
        Assert.Equal("********", written.Parameters.Single(p => p.Name == Passphrase).Value);
        Assert.DoesNotContain(events, e => e.ToString().Contains("ops-usp-secret", StringComparison.Ordinal));

        await using var session = fixture.System.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var audit = Assert.Single(await session.Events.QueryRawEventDataOnly<DeviceParametersSet>().Where(a => a.SerialNumber == serial).ToListAsync());
        Assert.Equal("test-admin", audit.ChangedBy);
        Assert.Equal("********", audit.Parameters.Single(p => p.Name == Passphrase).Value);
    }

    [Fact]
    public async Task An_operation_on_an_agent_with_an_active_workflow_is_refused_naming_it()
    {
        var (serial, agent) = await ProvisionedAgentAsync("UOPAC");
        agent.ResponseDelay = TimeSpan.FromSeconds(2);
        var first = await fixture.System.Provisioning.GetDeviceParametersAsync(
            new GetDeviceParametersRequest { SerialNumber = serial, ParameterNames = { Ssid } }, deadline: DateTime.UtcNow.AddMilliseconds(500))
            .ResponseAsync.ContinueWith(t => t.Exception?.InnerException as RpcException);

        var running = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.Kind == WorkflowKind.GetParameters, Patience);
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Provisioning.RebootDeviceAsync(
            new DeviceOperationRequest { SerialNumber = serial }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(running.WorkflowId, refused.Status.Detail, StringComparison.Ordinal);
        // The read outlived its caller's deadline: the call says so, the workflow still ends and keeps the values.
        Assert.Equal(StatusCode.DeadlineExceeded, first?.StatusCode);
        agent.ResponseDelay = TimeSpan.Zero;
        var ended = await fixture.System.WaitForTerminalAsync(running.WorkflowId, Patience);
        Assert.Equal(WorkflowResult.Success, ended.Result);
        Assert.Equal("Usp-24", ended.Parameters.Single(p => p.Name == Ssid).Value);
    }
}

using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

[Collection(nameof(OrchestratorCollection))]
public sealed class TerminalResultTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task A_device_missing_from_the_inventory_ends_unknown_device_without_being_contacted()
    {
        var serial = fixture.NewSerial("UNKNOWN");
        var started = await fixture.ProvisionAsync(serial);
        var workflow = await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.UnknownDevice, workflow.Result);
        Assert.Equal(WorkflowStep.Authenticate, workflow.FailedStep);
        Assert.Contains("not in the inventory", workflow.FailureReason);
        Assert.DoesNotContain($"Authenticate:{serial}", fixture.Adapter.Calls);
        var failed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Last();
        Assert.Equal("provisioning_failed", failed.EventType);
        Assert.Contains("not in the inventory", failed.ProvisioningFailed.Reason);
    }

    [Fact]
    public async Task A_device_answering_with_another_serial_ends_unknown_device()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { AnswerAsSerial = "SOMEONE-ELSE" });
        var workflow = await ProvisionAndWait(serial);
        Assert.Equal(WorkflowResult.UnknownDevice, workflow.Result);
        Assert.Contains("SOMEONE-ELSE", workflow.FailureReason);
    }

    [Fact]
    public async Task A_plan_that_does_not_exist_ends_no_profile()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());
        await fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device { Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp }, ServicePlan = "platinum-missing" },
        });
        var workflow = await ProvisionAndWait(serial);
        Assert.Equal(WorkflowResult.NoProfile, workflow.Result);
        Assert.Equal(WorkflowStep.FetchProfile, workflow.FailedStep);
        Assert.Contains("platinum-missing", workflow.FailureReason);
    }

    [Fact]
    public async Task A_device_fault_on_push_ends_config_push_failed_with_the_fault_and_parameter_faults()
    {
        var failure = new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = 9003, FaultString = "Invalid arguments" };
        failure.ParameterFaults.Add(new ParameterFault { Name = "Device.WiFi.SSID.1.SSID", FaultCode = 9007, FaultString = "Invalid parameter value" });
        var serial = await fixture.RegisterAsync(new DeviceScript { PushFailure = failure });

        var workflow = await ProvisionAndWait(serial);

        Assert.Equal(WorkflowResult.ConfigPushFailed, workflow.Result);
        Assert.Equal(WorkflowStep.PushConfig, workflow.FailedStep);
        Assert.Equal(9003u, workflow.FaultCode);
        var failed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Last().ProvisioningFailed;
        Assert.Equal(9003u, failed.FaultCode);
        Assert.Equal("HG-100", failed.Model);
        Assert.Equal("gold", failed.ServicePlan);
        var parameterFault = Assert.Single(failed.ParameterFaults);
        Assert.Equal(9007u, parameterFault.FaultCode);
        Assert.Equal("Device.WiFi.SSID.1.SSID", parameterFault.Name);
    }

    [Fact]
    public async Task A_value_the_device_did_not_apply_ends_verification_failed_naming_the_parameter()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { NotApplied = ["Device.WiFi.SSID.2.SSID"] });
        var workflow = await ProvisionAndWait(serial);

        Assert.Equal(WorkflowResult.VerificationFailed, workflow.Result);
        Assert.Equal(WorkflowStep.Verify, workflow.FailedStep);
        var mismatch = Assert.Single(workflow.Mismatches);
        Assert.Equal("Device.WiFi.SSID.2.SSID", mismatch.Name);
        Assert.Equal("Home-5", mismatch.Expected);
        Assert.Equal("default", mismatch.Actual);
    }

    [Fact]
    public async Task A_secret_that_reads_back_wrong_is_a_mismatch_reported_redacted()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { NotApplied = ["Device.WiFi.AccessPoint.1.Security.KeyPassphrase"] });
        var workflow = await ProvisionAndWait(serial);

        Assert.Equal(WorkflowResult.VerificationFailed, workflow.Result);
        var mismatch = Assert.Single(workflow.Mismatches);
        Assert.Equal("********", mismatch.Expected);
        Assert.DoesNotContain("wifi-secret", workflow.ToString());
    }

    [Fact]
    public async Task An_unreachable_device_ends_device_unreachable()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript
        {
            AuthenticateFailure = new StepFailure { Kind = FailureKind.Unreachable, FaultString = "connection request not answered" },
        });
        var workflow = await ProvisionAndWait(serial);
        Assert.Equal(WorkflowResult.DeviceUnreachable, workflow.Result);
        Assert.Contains("connection request not answered", workflow.FailureReason);
    }

    [Fact]
    public async Task A_device_slower_than_the_step_deadline_ends_timed_out()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { PushDelay = TimeSpan.FromSeconds(30) });
        var workflow = await ProvisionAndWait(serial);
        Assert.Equal(WorkflowResult.TimedOut, workflow.Result);
        Assert.Equal(WorkflowStep.PushConfig, workflow.FailedStep);
    }

    [Fact]
    public async Task A_cancelled_workflow_ends_cancelled_and_frees_the_device()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { PushDelay = TimeSpan.FromSeconds(2.5) });
        var started = await fixture.ProvisionAsync(serial);
        await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.CurrentStep == WorkflowStep.PushConfig);

        var cancelled = await fixture.System.Provisioning.CancelWorkflowAsync(new CancelWorkflowRequest { WorkflowId = started.Workflow.WorkflowId, Reason = "customer moved" });
        Assert.Equal(WorkflowResult.Cancelled, cancelled.Result);

        await Task.Delay(3000); // the interrupted step must not write after the cancel
        var events = await fixture.System.EventsAsync(started.Workflow.WorkflowId);
        Assert.Equal("provisioning_cancelled", events.Last().EventType);
        Assert.Equal("customer moved", events.Last().ProvisioningCancelled.Reason);

        fixture.Adapter.Devices[serial] = new DeviceScript();
        var next = await fixture.ProvisionAsync(serial);
        Assert.False(next.Existing);
        Assert.Equal(WorkflowResult.Success, (await fixture.System.WaitForTerminalAsync(next.Workflow.WorkflowId)).Result);
    }

    [Fact]
    public async Task A_failed_workflow_can_be_retried_as_a_new_workflow_linked_to_it()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript { NotApplied = ["Device.WiFi.SSID.1.SSID"] });
        var failed = await ProvisionAndWait(serial);
        Assert.Equal(WorkflowResult.VerificationFailed, failed.Result);

        fixture.Adapter.Devices[serial] = new DeviceScript();
        var retried = await fixture.System.Provisioning.RetryWorkflowAsync(new RetryWorkflowRequest { WorkflowId = failed.WorkflowId });
        Assert.Equal(failed.WorkflowId, retried.Workflow.RetryOf);
        Assert.Equal(WorkflowTrigger.Retry, retried.Workflow.Trigger);
        Assert.Equal(WorkflowResult.Success, (await fixture.System.WaitForTerminalAsync(retried.Workflow.WorkflowId)).Result);
    }

    private async Task<Workflow> ProvisionAndWait(string serial)
    {
        var started = await fixture.ProvisionAsync(serial);
        return await fixture.System.WaitForTerminalAsync(started.Workflow.WorkflowId);
    }
}

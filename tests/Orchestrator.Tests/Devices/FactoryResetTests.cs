using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Devices;

/// <summary>A provisioned device that comes back with factory settings is re-provisioned (Devices:FactoryReset=reprovision, the default).</summary>
public sealed class FactoryResetTests : DeviceDoorSystem
{
    [Fact]
    public async Task A_provisioned_cwmp_device_bootstrapping_again_is_reprovisioned_with_trigger_factory_reset()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        await DeviceDoor.ProvisionedAsync(Helper, serial);
        Assert.True((await Door.LookupAsync(serial)).SharedBootstrapAllowed);

        var decision = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Bootstrap, "0 BOOTSTRAP", "1 BOOT");

        Assert.Equal(ContactAction.Provision, decision.Action);
        var workflow = await System.WaitForTerminalAsync(decision.WorkflowId);
        Assert.Equal(WorkflowTrigger.FactoryReset, workflow.Trigger);
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var history = await Door.HistoryAsync(serial, h => h.Contacts.Any(c => c.Kind == "factory_reset"));
        var reset = Assert.Single(history.Contacts, c => c.Kind == "factory_reset");
        Assert.Equal(decision.WorkflowId, reset.WorkflowId);
        Assert.Equal(workflow.TraceId, reset.TraceId);
        Assert.Contains("0 BOOTSTRAP", reset.Detail);
        await Door.HistoryAsync(serial, h => h.Entries.Any(e => e.WorkflowId == decision.WorkflowId && e.Trigger == WorkflowTrigger.FactoryReset));
    }

    [Theory]
    [InlineData("LocalFactoryReset", false)]
    [InlineData("RemoteFactoryReset", false)]
    [InlineData("", true)]
    public async Task A_provisioned_usp_agent_that_lost_its_settings_is_reprovisioned(string cause, bool subscriptionMissing)
    {
        var serial = await Helper.RegisterAsync(new DeviceScript(), protocol: DeviceProtocol.Usp);
        await DeviceDoor.ProvisionedAsync(Helper, serial, DeviceProtocol.Usp);

        var rebooted = await Door.ContactAsync(DeviceDoor.Usp(serial), ContactCredential.Unspecified, "LocalReboot", false, "Boot!");
        var reset = await Door.ContactAsync(DeviceDoor.Usp(serial), ContactCredential.Unspecified, cause, subscriptionMissing, "Boot!");

        // A plain reboot of a provisioned agent is nothing to do; a reset is a re-provisioning.
        Assert.Equal(ContactAction.None, rebooted.Action);
        Assert.Equal(ContactAction.Provision, reset.Action);
        var workflow = await System.WaitForTerminalAsync(reset.WorkflowId);
        Assert.Equal(WorkflowTrigger.FactoryReset, workflow.Trigger);
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var history = await Door.HistoryAsync(serial, h => h.Contacts.Any(c => c.Kind == "factory_reset"));
        Assert.Equal(DeviceProtocol.Usp, Assert.Single(history.Contacts, c => c.Kind == "factory_reset").Protocol);
    }

    [Fact]
    public async Task A_device_not_yet_provisioned_bootstrapping_gets_a_zero_touch_workflow_not_a_factory_reset()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        var decision = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Bootstrap, "0 BOOTSTRAP");
        var workflow = await System.WaitForTerminalAsync(decision.WorkflowId);
        Assert.Equal(WorkflowTrigger.ZeroTouch, workflow.Trigger);
    }

    [Fact]
    public async Task Only_its_own_bootstrap_secret_opens_a_bootstrap_session_for_a_device_that_has_one()
    {
        var withSecret = await DeviceDoor.RegisterCwmpAsync(Helper, bootstrapPassword: "label-password-1");
        var without = await DeviceDoor.RegisterCwmpAsync(Helper);

        var secret = await Door.LookupAsync(withSecret);
        var shared = await Door.LookupAsync(without);

        Assert.False(secret.SharedBootstrapAllowed);
        Assert.Equal("bootstrap", secret.BootstrapUsername);
        Assert.Equal(Digest("bootstrap", "label-password-1"), secret.BootstrapPasswordHa1);
        Assert.True(shared.SharedBootstrapAllowed);
        Assert.Equal("", shared.BootstrapPasswordHa1);
        // Write-only: a read says there is one, never what it is.
        var read = await System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = withSecret });
        Assert.True(read.HasBootstrapPassword);
        Assert.Equal("", read.BootstrapPassword);
        Assert.Equal("bootstrap", read.CredentialState);
    }

    internal static string Digest(string username, string password) =>
        Convert.ToHexStringLower(global::System.Security.Cryptography.MD5.HashData(global::System.Text.Encoding.UTF8.GetBytes($"{username}:{DeviceDoor.Realm}:{password}")));
}

/// <summary>Devices:FactoryReset=refuse: the reset device is refused, and the refusal is on record.</summary>
public sealed class FactoryResetRefusedTests() : DeviceDoorSystem(("Devices:FactoryReset", "refuse"))
{
    [Fact]
    public async Task A_provisioned_device_bootstrapping_again_is_refused_on_record_and_counted()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        Assert.True((await Door.LookupAsync(serial)).SharedBootstrapAllowed);
        await DeviceDoor.ProvisionedAsync(Helper, serial);
        var workflows = await Door.WorkflowCountAsync();

        await WithinOneContactWindowAsync(TimeSpan.FromSeconds(20));
        var first = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Device, "0 BOOTSTRAP");
        var second = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Device, "0 BOOTSTRAP");

        Assert.Equal(ContactAction.Refuse, first.Action);
        Assert.Equal(ContactAction.Refuse, second.Action);
        Assert.Equal(workflows, await Door.WorkflowCountAsync());
        Assert.False((await Door.LookupAsync(serial)).SharedBootstrapAllowed);
        var history = await Door.HistoryAsync(serial, h => h.Contacts.Any(c => c.Reason == "policy" && c.Count == 2));
        Assert.Contains("Devices:FactoryReset=refuse", Assert.Single(history.Contacts, c => c.Reason == "policy").Detail);
        await Door.ReportAsync(r => r.Refusals.Any(x => x.Reason == "policy" && x.Count == 2 && x.Devices == 1));
    }
}

using Provisioning.Orchestrator.Grpc;
using Provisioning.Orchestrator.Workflows;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>Workflow kinds: one spelling with the API, and each kind's steps.</summary>
public sealed class WorkflowKindTests
{
    [Fact]
    public void Every_kind_is_spelled_as_the_api_names_it()
    {
        var descriptor = Wire.ProvisioningReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(Wire.WorkflowKind));
        foreach (var kind in Enum.GetValues<WorkflowKind>())
            Assert.Equal(descriptor.FindValueByNumber((int)kind.ToWire()).Name["WORKFLOW_KIND_".Length..].ToLowerInvariant(), kind.Name());
    }

    [Fact]
    public void Provisioning_keeps_its_steps_and_an_operation_is_authenticate_then_its_own_step()
    {
        Assert.Equal(WorkflowStep.FetchProfile, WorkflowKind.Provision.AfterAuthenticate());
        Assert.Equal(WorkflowStep.Verify, WorkflowKind.Provision.LastStep());
        foreach (var kind in Enum.GetValues<WorkflowKind>().Where(k => k != WorkflowKind.Provision))
        {
            Assert.Equal(kind.AfterAuthenticate(), kind.LastStep());
            Assert.Equal(kind.Name(), kind.AfterAuthenticate().Name());
        }
    }

    [Theory]
    [InlineData("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", true)]
    [InlineData("Device.ManagementServer.Password", true)]
    [InlineData("Device.X_ACME_Secret", true)]
    [InlineData("Device.WiFi.SSID.1.SSID", false)]
    [InlineData("Device.Time.NTPServer1", false)]
    public void Secret_names_are_told_by_Password_Key_or_Secret(string name, bool secret) =>
        Assert.Equal(secret, OperationSecrets.IsSecretName(name));
}

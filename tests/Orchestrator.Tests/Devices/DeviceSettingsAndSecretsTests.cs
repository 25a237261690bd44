using System.Security.Cryptography;
using System.Text;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Devices;

[Collection(nameof(OrchestratorCollection))]
public sealed class DeviceSettingsAndSecretsTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task Unusable_device_settings_fail_the_start_naming_each_problem()
    {
        var settings = DeviceDoor.Settings(fixture.Adapter, ("Devices:CredentialAdoptionWindow", "-00:00:01"), ("Devices:UnregisteredPerWindow", "-5"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SystemUnderTest.StartAsync(settings));
        Assert.Contains("Devices:CredentialAdoptionWindow", error.ToString());
        Assert.Contains("Devices:UnregisteredPerWindow", error.ToString());
    }

    [Fact]
    public async Task An_agent_secret_is_kept_as_a_salted_sha256_and_never_read_back()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript(), protocol: DeviceProtocol.Usp);
        var endpoint = $"os::00D09E-{serial}";
        await fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Usp, EndpointId = endpoint },
            ServicePlan = "gold",
            AgentSecret = "agent-secret-äö-1",
        } });

        using var channel = TestChannels.ForAddress(fixture.System.GrpcAddress, token: SystemUnderTest.InternalKey);
        var lookup = await new DeviceContacts.DeviceContactsClient(channel).LookupDeviceAsync(new LookupDeviceRequest { Device = new DeviceRef { EndpointId = endpoint } });
        var salt = Convert.FromHexString(lookup.AgentSecretSalt);
        Assert.Equal(16, salt.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes("agent-secret-äö-1")])), lookup.AgentSecretSha256);

        var read = await fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = serial });
        Assert.True(read.HasAgentSecret);
        Assert.Equal("", read.AgentSecret);
        Assert.Equal("", read.CredentialState);

        // An update that leaves it out keeps it; a bad one is refused naming the field.
        await fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Usp, EndpointId = endpoint }, ServicePlan = "gold",
        } });
        Assert.True((await fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = serial })).HasAgentSecret);
        var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Usp, EndpointId = endpoint }, BootstrapPassword = "label",
        } }).ResponseAsync);
        Assert.Contains("bootstrap_password", refused.Status.Detail);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.ScaleOut;

/// <summary>A contact report naming an adapter address the orchestrator does not know as its own is not routed to.</summary>
public sealed class ForgedAdapterAddressTests : IAsyncLifetime
{
    private ScriptedAdapter _adapter = null!;
    private ScriptedAdapter _impostor = null!;
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync()
    {
        _adapter = await ScriptedAdapter.StartAsync();
        _impostor = await ScriptedAdapter.StartAsync();
        _system = await SystemUnderTest.StartAsync(OrchestratorFixture.Settings(_adapter));
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _impostor.DisposeAsync();
        await _adapter.DisposeAsync();
    }

    [Fact]
    public async Task A_forged_adapter_address_receives_no_call_and_no_key()
    {
        var helper = OrchestratorFixture.Over(_adapter, _system);
        var serial = await helper.RegisterAsync(new DeviceScript());
        _impostor.Devices[serial] = new DeviceScript();
        using var channel = TestChannels.ForAddress(_system.GrpcAddress, token: SystemUnderTest.InternalKey);

        // With the internal key, but naming a server of its own as the one holding the device.
        await new DeviceContacts.DeviceContactsClient(channel).ReportDeviceContactAsync(new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp } },
            EventCodes = { "2 PERIODIC" },
            AdapterAddress = _impostor.Address,
        });
        var workflow = await _system.WaitForTerminalAsync((await helper.ProvisionAsync(serial)).Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Empty(_impostor.Calls);
        Assert.Contains($"PushConfig:{serial}", _adapter.Calls);
    }

    [Fact]
    public async Task A_stored_route_to_an_unregistered_address_is_not_followed()
    {
        var helper = OrchestratorFixture.Over(_adapter, _system);
        var serial = await helper.RegisterAsync(new DeviceScript());
        _impostor.Devices[serial] = new DeviceScript();
        // A route written before the address was unregistered (or around the contact check): the store says "there".
        await using (var session = _system.Services.GetRequiredService<Marten.IDocumentStore>().LightweightSession())
        {
            session.Store(new Orchestrator.Devices.DeviceRoute(serial, _impostor.Address, DeviceProtocol.Cwmp, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var workflow = await _system.WaitForTerminalAsync((await helper.ProvisionAsync(serial)).Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Empty(_impostor.Calls);
    }
}

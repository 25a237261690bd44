using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Devices;

/// <summary>
/// A system of its own for tests at a device's door: the orchestrator over a fresh database with the scripted adapter,
/// the door (DeviceContacts as an adapter calls it) and the registration helpers, with the class's own settings.
/// </summary>
public abstract class DeviceDoorSystem(params (string Key, string Value)[] settings) : IAsyncLifetime
{
    protected ScriptedAdapter Adapter { get; private set; } = null!;
    protected SystemUnderTest System { get; private set; } = null!;
    protected DeviceDoor Door { get; private set; } = null!;
    protected OrchestratorFixture Helper { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Adapter = await ScriptedAdapter.StartAsync();
        System = await SystemUnderTest.StartAsync(DeviceDoor.Settings(Adapter, settings));
        Door = new DeviceDoor(System);
        Helper = OrchestratorFixture.Over(Adapter, System);
    }

    public async Task DisposeAsync()
    {
        Door.Dispose();
        await System.DisposeAsync();
        await Adapter.DisposeAsync();
    }
}

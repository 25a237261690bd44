using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Devices;
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

    /// <summary>
    /// Equal contacts are counted per clock-aligned window (Devices:ContactRecordWindow): contacts that straddle a
    /// window's end are rightly two records. A test that counts contacts starts with this much of the window left
    /// (one failed when its three contacts straddled 11:30:00).
    /// </summary>
    protected async Task WithinOneContactWindowAsync(TimeSpan needed)
    {
        var window = System.Services.GetRequiredService<IOptions<DeviceOptions>>().Value.ContactRecordWindow;
        var now = DateTimeOffset.UtcNow;
        var left = System.Services.GetRequiredService<ContactRecorder>().WindowOf(now) + window - now;
        if (left < needed) await Task.Delay(left + TimeSpan.FromMilliseconds(100));
    }

    public async Task DisposeAsync()
    {
        Door.Dispose();
        await System.DisposeAsync();
        await Adapter.DisposeAsync();
    }
}

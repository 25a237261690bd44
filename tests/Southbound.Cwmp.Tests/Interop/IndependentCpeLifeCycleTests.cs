using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Cwmp.Tests.EndToEnd;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// The moments of a device's life operators see every day, through the whole system with the independent CPE: a
/// customer's factory reset, and firmware that acknowledges a new credential but keeps the old one. No device is
/// locked out silently.
/// </summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class IndependentCpeLifeCycleTests(CwmpSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_provisioned_cpe_that_is_factory_reset_is_provisioned_again_without_anyone_acting()
    {
        var serial = fixture.NewSerial("INDF");
        var identity = IndependentCpeInventory.Identity(serial, "A1B2C3", "IndieGateway");
        await IndependentCpeInventory.RegisterAsync(fixture, identity, CwmpSystemFixture.Plan("indie-gold"));

        // Provisioned from its factory credential, then reset to it (and to its factory Connection Request password),
        // then 0 BOOTSTRAP with the factory credential again.
        var run = await IndependentCpe.RunAsync([.. IndependentCpeInventory.Arguments(fixture.AcsUrl, identity, own: false), "--factory-reset"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.Sessions.Count);
        Assert.Contains("SetParameterValues", CpeRun.Strings(run.Sessions[1].GetProperty("acs_methods")));
        Assert.Equal("pw-" + serial, run.Parameter("Device.ManagementServer.Password")); // its own credential again
        var again = await fixture.System.WaitForDeviceWorkflowAsync(serial,
            w => w.Trigger == WorkflowTrigger.FactoryReset && w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, again.Result);
    }

    [Fact]
    public async Task A_cpe_that_keeps_its_old_credential_stays_reachable_and_its_credential_is_pending()
    {
        var serial = fixture.NewSerial("INDO");
        var identity = IndependentCpeInventory.Identity(serial, "A1B2C3", "IndieGateway");
        await IndependentCpeInventory.RegisterAsync(fixture, identity, CwmpSystemFixture.Plan("indie-gold"));

        // Acknowledges ManagementServer.Username/Password with Status 0, then informs with the factory credential again.
        var run = await IndependentCpe.RunAsync([.. IndependentCpeInventory.Arguments(fixture.AcsUrl, identity, own: false),
            "--keep-old-credential", "--periodic-sessions", "1"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var first = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, Patience);
        Assert.Equal(WorkflowResult.Success, first.Result);
        var history = await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
        Assert.Equal("pending", history.CredentialState);
    }

    [Fact]
    public async Task A_wrong_password_is_on_the_devices_record()
    {
        var serial = fixture.NewSerial("INDW");
        var identity = IndependentCpeInventory.Identity(serial, "A1B2C3", "IndieGateway");
        await IndependentCpeInventory.RegisterAsync(fixture, identity, CwmpSystemFixture.Plan("indie-gold"));

        var run = await IndependentCpe.RunAsync([.. IndependentCpeInventory.Arguments(fixture.AcsUrl, identity, own: true), "--password", "guess"]);

        Assert.Equal(3, run.ExitCode);
        DeviceHistory? history = null;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            history = await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
            if (history.Contacts.Count > 0) break;
        }
        var refused = Assert.Single(history!.Contacts, c => c.Kind == "contact_refused");
        Assert.Equal("wrong_password", refused.Reason);
    }
}

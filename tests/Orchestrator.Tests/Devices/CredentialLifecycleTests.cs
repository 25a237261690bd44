using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Devices;

/// <summary>
/// bootstrap → pending → adopted: a device given its own credential keeps what it used before until it proves the new
/// one (bounded by Devices:CredentialAdoptionWindow), and every step is in its history.
/// </summary>
public sealed class CredentialLifecycleTests : DeviceDoorSystem
{
    [Fact]
    public async Task A_device_bootstrapped_with_its_secret_is_pending_keeps_the_secret_then_adopts_its_credential()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper, bootstrapPassword: "label-password-2");
        var device = DeviceDoor.Cwmp(serial);

        var bootstrap = await Door.ContactAsync(device, ContactCredential.BootstrapSecret, "0 BOOTSTRAP");
        Assert.Equal(WorkflowResult.Success, (await System.WaitForTerminalAsync(bootstrap.WorkflowId)).Result);

        // Pushed but not proved: the bootstrap secret stays offered as the previous credential.
        var pending = await Door.LookupAsync(serial);
        Assert.Equal("bootstrap", pending.PreviousCwmpUsername);
        Assert.Equal(FactoryResetTests.Digest("bootstrap", "label-password-2"), pending.PreviousCwmpPasswordHa1);
        Assert.Equal(FactoryResetTests.Digest(serial, "own-password-" + serial), pending.CwmpPasswordHa1);
        // The secret stops being offered when the window ends, with no write an adapter would hear of: not to be kept long.
        Assert.False(pending.Steady);
        Assert.Equal("pending", (await System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = serial })).CredentialState);

        // Still on the old one: accepted, and on record as not adopted (once per window, counted).
        await WithinOneContactWindowAsync(TimeSpan.FromSeconds(20));
        await Door.ContactAsync(device, ContactCredential.Previous, "2 PERIODIC");
        await Door.ContactAsync(device, ContactCredential.Previous, "2 PERIODIC");
        var notAdopted = await Door.HistoryAsync(serial, h => h.Contacts.Any(c => c.Kind == "credential_not_adopted" && c.Count == 2));
        Assert.Equal("pending", notAdopted.CredentialState);

        await Door.ContactAsync(device, ContactCredential.Device, "2 PERIODIC");

        var adopted = await Door.HistoryAsync(serial, h => h.CredentialState == "adopted");
        Assert.Equal(["credential_pending", "credential_not_adopted", "credential_adopted"], adopted.Contacts.Select(c => c.Kind).ToArray());
        Assert.Equal(bootstrap.WorkflowId, adopted.Contacts[0].WorkflowId);
        var after = await Door.LookupAsync(serial);
        Assert.Equal("", after.PreviousCwmpUsername);
        Assert.Equal("", after.PreviousCwmpPasswordHa1);
        Assert.True(after.Steady);
    }

    [Fact]
    public async Task A_device_that_used_the_shared_bootstrap_keeps_it_while_pending()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        var bootstrap = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Bootstrap, "0 BOOTSTRAP");
        await System.WaitForTerminalAsync(bootstrap.WorkflowId);

        var lookup = await Door.LookupAsync(serial);
        Assert.True(lookup.SharedBootstrapAllowed);
        Assert.False(lookup.Steady); // the shared bootstrap is allowed only until the window ends
        Assert.Equal("", lookup.PreviousCwmpPasswordHa1);
        var history = await Door.HistoryAsync(serial, h => h.CredentialState == "pending");
        Assert.Contains("shared bootstrap", Assert.Single(history.Contacts).Detail);
    }

    [Fact]
    public async Task A_device_still_logging_in_with_its_old_username_is_found_by_it_while_pending()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        await DeviceDoor.ProvisionedAsync(Helper, serial);
        await System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = DeviceDoor.Cwmp(serial), ServicePlan = "gold", CwmpUsername = "renamed-" + serial, CwmpPassword = "rotated-password",
        } });

        // The ACS looks a Digest login up by its username: the old one still leads to the device, with the old HA1.
        var byOldName = await Door.Contacts.LookupDeviceAsync(new LookupDeviceRequest { Username = serial, Realm = DeviceDoor.Realm });

        Assert.True(byOldName.Registered);
        Assert.Equal(serial, byOldName.Device.SerialNumber);
        Assert.Equal(serial, byOldName.PreviousCwmpUsername);
        Assert.Equal(FactoryResetTests.Digest(serial, "own-password-" + serial), byOldName.PreviousCwmpPasswordHa1);
        Assert.Equal("renamed-" + serial, byOldName.CwmpUsername);
    }

    [Fact]
    public async Task A_device_that_already_uses_its_own_credential_is_not_made_pending()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Device, "2 PERIODIC");
        await DeviceDoor.ProvisionedAsync(Helper, serial);

        var history = await System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
        Assert.Equal("adopted", history.CredentialState);
        Assert.Empty(history.Contacts);
        Assert.Equal("", (await Door.LookupAsync(serial)).PreviousCwmpUsername);
    }
}

/// <summary>Past Devices:CredentialAdoptionWindow (2 s here) the previous credential is no longer offered, on record.</summary>
public sealed class CredentialAdoptionWindowTests() : DeviceDoorSystem(("Devices:CredentialAdoptionWindow", "00:00:02"))
{
    [Fact]
    public async Task A_changed_password_makes_the_old_one_previous_until_the_window_ends()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper);
        await DeviceDoor.ProvisionedAsync(Helper, serial);
        var old = (await Door.LookupAsync(serial)).CwmpPasswordHa1;

        await System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = DeviceDoor.Cwmp(serial), ServicePlan = "gold", CwmpUsername = serial, CwmpPassword = "rotated-password",
        } });
        var pending = await Door.LookupAsync(serial);
        Assert.Equal(old, pending.PreviousCwmpPasswordHa1);
        Assert.Equal(serial, pending.PreviousCwmpUsername);
        Assert.NotEqual(old, pending.CwmpPasswordHa1);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var expired = await Door.LookupAsync(serial);

        Assert.Equal("", expired.PreviousCwmpPasswordHa1);
        Assert.Equal("", expired.PreviousCwmpUsername);
        var history = await Door.HistoryAsync(serial, h => h.CredentialState == "not_adopted");
        Assert.Equal(["credential_pending", "credential_not_adopted"], history.Contacts.Select(c => c.Kind).ToArray());
        Assert.Contains("no longer accepted", history.Contacts[1].Detail);
    }
}

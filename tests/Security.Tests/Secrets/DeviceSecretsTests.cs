using Grpc.Core;
using Npgsql;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Secrets;

/// <summary>Device credentials at rest: the CWMP password only as its Digest HA1, the Connection Request password encrypted.</summary>
public sealed class DeviceSecretsTests : IAsyncLifetime
{
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync() => _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Orchestrator:HostAdapters"] = "false" });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    private async Task<string> StoredJsonAsync(string serial)
    {
        await using var connection = new NpgsqlConnection(_system.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select data::text from provisioning.mt_doc_devicerecord where id = @id", connection);
        command.Parameters.AddWithValue("id", serial);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private DeviceContacts.DeviceContactsClient Contacts => new(_system.Invoker(SystemUnderTest.InternalKey));

    private static Device Device(string serial, string cwmpPassword = "", string crPassword = "") => new()
    {
        Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
        CwmpUsername = "cpe-" + serial, CwmpPassword = cwmpPassword,
        ConnectionRequestUsername = "cr-" + serial, ConnectionRequestPassword = crPassword,
    };

    [Fact]
    public async Task Passwords_are_stored_as_HA1_and_ciphertext_and_the_ACS_still_gets_what_it_needs()
    {
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("SEC0001", "cwmp-pass-0001", "cr-pass-0001") });

        var stored = await StoredJsonAsync("SEC0001");
        Assert.DoesNotContain("cwmp-pass-0001", stored);
        Assert.DoesNotContain("cr-pass-0001", stored);
        var ha1 = DigestCredential.Ha1("cpe-SEC0001", "Provisioning ACS", "cwmp-pass-0001");
        Assert.Contains($"ha1:{ha1}", stored);

        var lookup = await Contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = new DeviceRef { SerialNumber = "SEC0001" }, Realm = "Provisioning ACS" });
        Assert.Equal(ha1, lookup.CwmpPasswordHa1);
        Assert.Equal("cr-pass-0001", lookup.ConnectionRequestPassword);

        // Reads say a password is set, never what it is.
        var read = await _system.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = "SEC0001" });
        Assert.True(read.HasCwmpPassword);
        Assert.Equal("", read.CwmpPassword);
    }

    [Fact]
    public async Task An_update_without_passwords_keeps_the_stored_ones_and_bulk_loads_are_protected_too()
    {
        await _system.Inventory.UpsertDevicesAsync(new UpsertDevicesRequest { Devices = { Device("SEC0002", "cwmp-pass-0002", "cr-pass-0002"), Device("SEC0003", "cwmp-pass-0003", "cr-pass-0003") } });
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("SEC0002") });

        foreach (var serial in new[] { "SEC0002", "SEC0003" })
        {
            var stored = await StoredJsonAsync(serial);
            Assert.DoesNotContain("pass-000", stored);
        }
        var lookup = await Contacts.LookupDeviceAsync(new LookupDeviceRequest { Username = "cpe-SEC0002", Realm = "Provisioning ACS" });
        Assert.Equal(DigestCredential.Ha1("cpe-SEC0002", "Provisioning ACS", "cwmp-pass-0002"), lookup.CwmpPasswordHa1);
        Assert.Equal("cr-pass-0002", lookup.ConnectionRequestPassword);
    }

    [Fact]
    public async Task A_lookup_for_another_realm_gets_no_HA1()
    {
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("SEC0004", "cwmp-pass-0004") });
        var lookup = await Contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = new DeviceRef { SerialNumber = "SEC0004" }, Realm = "other realm" });
        Assert.True(lookup.Registered);
        Assert.Equal("", lookup.CwmpPasswordHa1);
    }

    [Fact]
    public async Task The_encryption_key_survives_a_restart()
    {
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = Device("SEC0005", "cwmp-pass-0005", "cr-pass-0005") });
        await _system.StopOrchestratorAsync();
        await _system.StartOrchestratorAsync();
        var lookup = await Contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = new DeviceRef { SerialNumber = "SEC0005" }, Realm = "Provisioning ACS" });
        Assert.Equal("cr-pass-0005", lookup.ConnectionRequestPassword);
    }
}

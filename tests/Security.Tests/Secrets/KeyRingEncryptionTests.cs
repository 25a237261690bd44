using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Secrets;

/// <summary>With a key-encryption certificate configured, the Data Protection key ring is stored encrypted in PostgreSQL.</summary>
public sealed class KeyRingEncryptionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cpe-keyring-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_key_ring_is_stored_encrypted_with_the_certificate_and_secrets_still_decrypt()
    {
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=cpe key ring", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var certificatePath = Path.Combine(_folder, "keyring.pem");
        var keyPath = Path.Combine(_folder, "keyring.key");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:HostAdapters"] = "false",
            ["DataProtection:CertificatePath"] = certificatePath,
            ["DataProtection:KeyPath"] = keyPath,
        });
        await system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new DeviceRef { SerialNumber = "KEYRING01", Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
                ConnectionRequestUsername = "cr", ConnectionRequestPassword = "cr-secret-keyring",
            },
        });

        var contacts = new DeviceContacts.DeviceContactsClient(system.Invoker(SystemUnderTest.InternalKey));
        var lookup = await contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = new DeviceRef { SerialNumber = "KEYRING01" } });
        Assert.Equal("cr-secret-keyring", lookup.ConnectionRequestPassword);

        await using var connection = new NpgsqlConnection(system.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select string_agg(data->>'Xml', ' ') from provisioning.mt_doc_dataprotectionkeydocument", connection);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.Contains("encryptedSecret", stored);
        Assert.DoesNotContain("<value>", stored); // the master key itself is not in the clear
    }
}

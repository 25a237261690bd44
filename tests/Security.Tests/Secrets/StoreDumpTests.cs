using System.Diagnostics;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Security;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Secrets;

/// <summary>
/// What a stolen database dump gives away, by default (no certificate configured): no device or plan secret in clear,
/// and a key ring that cannot be used without the key kept outside the database.
/// </summary>
public sealed class StoreDumpTests : IAsyncLifetime
{
    private const string WifiKey = "dump-wifi-key-7781";
    private const string SipPassword = "dump-sip-password-4410";
    private const string CwmpPassword = "dump-cwmp-password-1187";
    private const string ConnectionRequestPassword = "dump-cr-password-9902";
    private readonly string _folder = Directory.CreateTempSubdirectory("cpe-dump-").FullName;
    private SystemUnderTest _system = null!;

    private string KeyFile => Path.Combine(_folder, "keyring.key");

    public async Task InitializeAsync()
    {
        _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:HostAdapters"] = "false",
            [KeyRingKey.FileSetting] = KeyFile,
        });
        await _system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest
        {
            Plan = new ServicePlan
            {
                Name = "dump-plan",
                DataEnabled = true,
                Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = "Home", Key = WifiKey, SecurityMode = "WPA2-Personal", Enabled = true } },
                VoipLines = { new VoipLine { Line = 1, SipUsername = "sip", SipPassword = SipPassword, DirectoryNumber = "1000", Registrar = "sip.example.net" } },
            },
        });
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = new DeviceRef { SerialNumber = "DUMP0001", Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
                ServicePlan = "dump-plan",
                CwmpUsername = "cpe-dump", CwmpPassword = CwmpPassword,
                ConnectionRequestUsername = "cr-dump", ConnectionRequestPassword = ConnectionRequestPassword,
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_dump_holds_no_secret_in_clear_and_the_plan_still_renders_them()
    {
        var dump = await PgDumpAsync();
        Assert.Contains("dump-plan", dump); // it is the right dump
        foreach (var secret in new[] { WifiKey, SipPassword, CwmpPassword, ConnectionRequestPassword })
            Assert.DoesNotContain(secret, dump);

        // The push still gets the clear values (the default BSS opens them).
        var profiles = _system.Services.GetRequiredService<Provisioning.Orchestrator.ServicePlans.IServiceProfileSource>();
        var plan = await profiles.FindPlanAsync("dump-plan", CancellationToken.None);
        Assert.Equal(WifiKey, plan!.Wifi[0].Key);
        Assert.Equal(SipPassword, plan.VoipLines[0].SipPassword);
    }

    [Fact]
    public async Task The_key_ring_in_the_dump_decrypts_nothing_without_the_key_file()
    {
        var (keys, ciphertext) = await StoredKeyRingAndCiphertextAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.DoesNotContain("<value>", k.ToString()));

        Assert.ThrowsAny<CryptographicException>(() => Unprotect(keys, ciphertext, withKeyFile: false));
        // The same ring with the key kept outside the database opens it: the failure above is the missing key, not the test.
        Assert.Equal(ConnectionRequestPassword, Unprotect(keys, ciphertext, withKeyFile: true));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    private string Unprotect(IReadOnlyList<XElement> keys, string ciphertext, bool withKeyFile)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("cpe-provisioning").DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DumpedKeys(keys));
        if (withKeyFile)
            services.AddSingleton(KeyRingKey.From(new ConfigurationBuilder().AddInMemoryCollection([new(KeyRingKey.FileSetting, KeyFile)]).Build()));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Provisioning.Orchestrator.DeviceSecrets.ConnectionRequest").Unprotect(ciphertext);
    }

    private async Task<(IReadOnlyList<XElement> Keys, string Ciphertext)> StoredKeyRingAndCiphertextAsync()
    {
        await using var connection = new NpgsqlConnection(_system.ConnectionString);
        await connection.OpenAsync();
        var keys = new List<XElement>();
        await using (var command = new NpgsqlCommand("select data->>'Xml' from provisioning.mt_doc_dataprotectionkeydocument", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) keys.Add(XElement.Parse(reader.GetString(0)));
        await using var record = new NpgsqlCommand("select data->>'ConnectionRequestPassword' from provisioning.mt_doc_devicerecord where id = 'DUMP0001'", connection);
        var stored = (string)(await record.ExecuteScalarAsync())!;
        Assert.StartsWith(DeviceSecrets.ProtectedPrefix, stored);
        return (keys, stored[DeviceSecrets.ProtectedPrefix.Length..]);
    }

    private async Task<string> PgDumpAsync()
    {
        var cs = new NpgsqlConnectionStringBuilder(_system.ConnectionString);
        var pgDump = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin", "pg_dump")).FirstOrDefault(File.Exists)
            : null;
        var start = new ProcessStartInfo(pgDump ?? "pg_dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-h", cs.Host!, "-p", cs.Port.ToString(), "-U", cs.Username!, "-d", cs.Database! }) start.ArgumentList.Add(argument);
        start.Environment["PGPASSWORD"] = cs.Password ?? "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "pg_dump failed: " + await error);
        return await output;
    }

    private sealed class DumpedKeys(IReadOnlyList<XElement> keys) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => keys;
        public void StoreElement(XElement element, string friendlyName) { }
    }
}

using System.Security.Cryptography;
using System.Text;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task An_agent_secret_is_also_kept_as_a_broker_hash_that_verifies_it_and_the_clear_secret_is_stored_nowhere()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript(), protocol: DeviceProtocol.Usp);
        var endpoint = $"os::00D09E-{serial}";
        var secret = $"broker-secret-{Guid.NewGuid():N}";
        await fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Usp, EndpointId = endpoint },
            ServicePlan = "gold",
            AgentSecret = secret,
        } });

        // The adapter reads every page (one login a page here, so paging is walked) and finds this agent's mosquitto hash.
        using var channel = TestChannels.ForAddress(fixture.System.GrpcAddress, token: SystemUnderTest.InternalKey);
        var contacts = new DeviceContacts.DeviceContactsClient(channel);
        var logins = new List<AgentBrokerLogin>();
        var after = "";
        do
        {
            var page = await contacts.ListAgentBrokerLoginsAsync(new ListAgentBrokerLoginsRequest { AfterEndpointId = after, PageSize = 1 });
            Assert.True(page.Logins.Count <= 1);
            logins.AddRange(page.Logins);
            after = page.NextAfterEndpointId;
        }
        while (after.Length > 0);
        Assert.Equal(logins.Select(l => l.EndpointId).Distinct().Count(), logins.Count);
        var login = Assert.Single(logins, l => l.EndpointId == endpoint);
        Assert.StartsWith("$7$101$", login.PasswordHash, StringComparison.Ordinal);
        Assert.True(BrokerPasswordHash.Matches(secret, login.PasswordHash));
        Assert.False(BrokerPasswordHash.Matches(secret + "x", login.PasswordHash));

        // Only the adapter role lists logins.
        using var operatorChannel = TestChannels.ForAddress(fixture.System.GrpcAddress, token: SystemUnderTest.OperatorKey);
        var denied = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() =>
            new DeviceContacts.DeviceContactsClient(operatorChannel).ListAgentBrokerLoginsAsync(new ListAgentBrokerLoginsRequest()).ResponseAsync);
        Assert.Equal(global::Grpc.Core.StatusCode.PermissionDenied, denied.StatusCode);

        // No row of any table of the store (documents, events, history) holds the secret in clear.
        var store = fixture.System.Services.GetRequiredService<Marten.IDocumentStore>();
        await using var session = store.QuerySession();
        var connection = (Npgsql.NpgsqlConnection)session.Connection!;
        var tables = new List<string>();
        await using (var list = new Npgsql.NpgsqlCommand("select table_schema || '.' || table_name from information_schema.tables where table_schema = @schema and table_type = 'BASE TABLE'", connection))
        {
            list.Parameters.AddWithValue("schema", store.Options.DatabaseSchemaName);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        Assert.Contains(tables, t => t.EndsWith(".mt_doc_devicerecord", StringComparison.Ordinal));
        async Task<long> RowsHoldingAsync(string table, string text)
        {
            await using var count = new Npgsql.NpgsqlCommand($"select count(*) from {table} t where strpos(t::text, @text) > 0", connection);
            count.Parameters.AddWithValue("text", text);
            return (long)(await count.ExecuteScalarAsync())!;
        }
        // The search sees what documents hold: the stored hash is found where it is kept.
        Assert.Equal(1L, await RowsHoldingAsync(tables.First(t => t.EndsWith(".mt_doc_devicerecord", StringComparison.Ordinal)), login.PasswordHash));
        foreach (var table in tables)
            Assert.True(await RowsHoldingAsync(table, secret) == 0, $"{table} holds the clear agent secret");
    }
}

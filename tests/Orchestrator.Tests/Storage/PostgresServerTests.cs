using Npgsql;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Storage;

public class PostgresServerTests
{
    [Fact]
    public async Task Each_fixture_gets_its_own_empty_database_on_a_real_server()
    {
        var first = await PostgresServer.CreateDatabaseAsync();
        var second = await PostgresServer.CreateDatabaseAsync();
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);

        await using var connection = new NpgsqlConnection(first);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from pg_tables where schemaname = 'public'", connection);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}

using Npgsql;
using Provisioning.Orchestrator.Storage;

namespace Provisioning.Orchestrator.Tests.Storage;

public sealed class StatementPreparationTests
{
    [Fact]
    public void Statements_are_prepared_automatically_when_the_connection_string_does_not_choose()
    {
        var prepared = new NpgsqlConnectionStringBuilder(StatementPreparation.WithAutoPrepare("Host=db;Username=acs;Password=secret"));

        Assert.Equal(StatementPreparation.PreparedPerConnection, prepared.MaxAutoPrepare);
        Assert.Equal("db", prepared.Host);
        Assert.Equal("secret", prepared.Password);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0")]
    [InlineData("Host=db;MaxAutoPrepare=0")]
    [InlineData("Host=db;max auto prepare=0")]
    public void A_connection_string_that_chooses_keeps_its_choice(string connectionString)
    {
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(StatementPreparation.WithAutoPrepare(connectionString)).MaxAutoPrepare);
    }
}

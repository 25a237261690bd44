using Provisioning.Southbound.Usp.Transport.Mqtt;

namespace Provisioning.Southbound.Usp.Tests.Mqtt;

/// <summary>Where answers for an agent may go when the local broker proves who reads what: its own topic and below only.</summary>
public sealed class BrokerReadersTests
{
    private static readonly BrokerReaders Proven = new(true);

    [Theory]
    [InlineData("usp/agent/os::00D09E-A", true)]
    [InlineData("usp/agent/os::00D09E-A/reply", true)]
    [InlineData("usp/agent/os::00D09E-AB", false)]
    [InlineData("usp/agent/os::00D09E-B", false)]
    [InlineData("usp/agent/", false)]
    [InlineData("elsewhere/usp/agent/os::00D09E-A", false)]
    public void Answers_go_only_to_the_agents_own_topic(string topic, bool allowed) =>
        Assert.Equal(allowed, Proven.Allows("os::00D09E-A", topic));

    [Fact]
    public void A_broker_of_someone_else_proves_nothing_and_restricts_nothing() =>
        Assert.True(BrokerReaders.Unproven.Allows("os::00D09E-A", "anywhere/at/all"));
}

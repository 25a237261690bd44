using Microsoft.Extensions.Logging.Abstractions;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Agents;

namespace Provisioning.Southbound.Usp.Tests.Security;

/// <summary>The registry's own guard, for the race the check before the upgrade cannot see (two upgrades at once).</summary>
public sealed class AgentRegistryTests
{
    private sealed class Link(string mtp = "websocket") : IAgentLink
    {
        public bool Closed { get; private set; }
        public string Mtp => mtp;
        public ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask CloseAsync(string reason)
        {
            Closed = true;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public void An_unauthenticated_connection_never_replaces_an_open_session_and_an_authenticated_one_does()
    {
        var registry = new AgentRegistry(NullLogger<AgentRegistry>.Instance);
        var real = new Link();
        var session = registry.Connect("os::00D09E-R1", real);

        Assert.Null(registry.Connect("os::00D09E-R1", new Link()));
        Assert.Same(session, registry.Find("os::00D09E-R1"));
        Assert.False(real.Closed);

        var owner = registry.Connect("os::00D09E-R1", new Link(), ContactCredential.AgentSecret);
        Assert.NotNull(owner);
        Assert.Same(owner, registry.Find("os::00D09E-R1"));
        Assert.True(real.Closed);
    }
}

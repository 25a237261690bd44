using Provisioning.Contracts.Southbound;

namespace Provisioning.Launcher.Broker;

/// <summary>The agents' broker logins as the orchestrator keeps them (DeviceContacts.ListAgentBrokerLogins), every page.</summary>
internal sealed class BrokerLoginSource(DeviceContacts.DeviceContactsClient contacts)
{
    public async Task<IReadOnlyList<BrokerLogin>> ListAsync(CancellationToken cancellationToken)
    {
        var logins = new List<BrokerLogin>();
        var after = "";
        do
        {
            var page = await contacts.ListAgentBrokerLoginsAsync(new ListAgentBrokerLoginsRequest { AfterEndpointId = after },
                deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
            // What goes into mosquitto's files must not be able to end a line or name others' topics: an entry that could
            // is left out (that agent cannot log in) rather than written.
            logins.AddRange(page.Logins
                .Where(l => BrokerUsername.CanLogIn(l.EndpointId) && BrokerPasswordHash.IsWellFormed(l.PasswordHash))
                .Select(l => new BrokerLogin(l.EndpointId, l.PasswordHash)));
            if (page.NextAfterEndpointId == after) break; // a server that does not move on would be asked forever
            after = page.NextAfterEndpointId;
        }
        while (after.Length > 0);
        return logins;
    }
}

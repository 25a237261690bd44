namespace Provisioning.Launcher.Broker;

/// <summary>
/// mosquitto's password_file: "username:hash" lines, the controller's own user and one line per agent with a login.
/// Hashes are mosquitto's PBKDF2 form (<see cref="Contracts.Southbound.BrokerPasswordHash"/>), so no clear password
/// is ever written and mosquitto_passwd is not needed.
/// </summary>
internal static class PasswordFile
{
    public static string Text(string controllerUsername, string controllerHash, IEnumerable<BrokerLogin> agents)
    {
        var text = new System.Text.StringBuilder();
        text.Append(controllerUsername).Append(':').Append(controllerHash).Append('\n');
        foreach (var agent in agents)
        {
            // An agent named like the controller's user would replace it (mosquitto keeps the last line of a name).
            if (agent.Username == controllerUsername) continue;
            text.Append(agent.Username).Append(':').Append(agent.PasswordHash).Append('\n');
        }
        return text.ToString();
    }
}

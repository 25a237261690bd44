using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Simulators.Usp.Agents;

/// <summary>
/// Secrets for a fleet: one for every agent, or one per endpoint ID derived from a seed (hex HMAC-SHA256(seed, endpoint
/// id), first 32 characters), so whoever registers the fleet in the inventory computes the same secret per agent.
/// </summary>
public static class AgentSecrets
{
    public static string Derive(string seed, string endpointId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(seed), Encoding.UTF8.GetBytes(endpointId)))[..32];
}

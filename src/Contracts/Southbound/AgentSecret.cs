using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Contracts.Southbound;

/// <summary>
/// An agent's own secret as the inventory keeps it: hex SHA-256(salt bytes || UTF-8 secret) with a hex salt
/// (LookupDevice's agent_secret_sha256 / agent_secret_salt): made by the orchestrator when the inventory takes a secret,
/// checked by the controller. The clear secret never leaves the agent's request.
/// </summary>
public static class AgentSecret
{
    /// <summary>Whether <paramref name="presented"/> is the secret behind the verifier; constant time in the secret.</summary>
    public static bool Matches(string presented, string sha256Hex, string saltHex)
    {
        byte[] expected, salt;
        try
        {
            expected = Convert.FromHexString(sha256Hex);
            salt = Convert.FromHexString(saltHex);
        }
        catch (FormatException)
        {
            return false; // a verifier we cannot read admits nobody
        }
        if (expected.Length != SHA256.HashSizeInBytes) return false;
        var secret = Encoding.UTF8.GetBytes(presented);
        var input = new byte[salt.Length + secret.Length];
        salt.CopyTo(input, 0);
        secret.CopyTo(input, salt.Length);
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, actual);
        CryptographicOperations.ZeroMemory(input);
        CryptographicOperations.ZeroMemory(secret);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>The verifier for a secret: hex SHA-256(salt || secret) and its hex salt (a random 16 bytes unless given).</summary>
    public static (string Sha256Hex, string SaltHex) Verifier(string secret, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        var hash = SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(secret)]);
        return (Convert.ToHexStringLower(hash), Convert.ToHexStringLower(salt));
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Contracts.Southbound;

/// <summary>
/// An agent's secret as mosquitto's password_file wants it (mosquitto 2.x, what <c>mosquitto_passwd</c> writes):
/// <c>$7$&lt;iterations&gt;$&lt;base64 salt&gt;$&lt;base64 PBKDF2-HMAC-SHA512&gt;</c>, 101 iterations, a 12-byte salt, 64 bytes of hash.
/// Made by the orchestrator when the inventory takes a secret, beside the SHA-256 verifier (<see cref="AgentSecret"/>),
/// because the broker checks logins itself and knows only this form; the clear secret is never kept.
/// </summary>
public static class BrokerPasswordHash
{
    public const int Iterations = 101;
    public const int SaltBytes = 12;
    public const int HashBytes = 64;
    private const string Prefix = "$7$";

    public static string Make(string secret, byte[]? salt = null, int iterations = Iterations)
    {
        salt ??= RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Whether the text has the form mosquitto reads (a line of the password file is built from it).</summary>
    public static bool IsWellFormed(string hash) => Parse(hash) is not null;

    /// <summary>Whether <paramref name="secret"/> is the one behind the hash; constant time in the hash.</summary>
    public static bool Matches(string secret, string hash)
    {
        if (Parse(hash) is not { } parts) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), parts.Salt, parts.Iterations, HashAlgorithmName.SHA512, parts.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parts.Hash);
    }

    private static (int Iterations, byte[] Salt, byte[] Hash)? Parse(string hash)
    {
        if (!hash.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = hash[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
            return null;
        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var digest = Convert.FromBase64String(parts[2]);
            return salt.Length > 0 && digest.Length == HashBytes ? (iterations, salt, digest) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Orchestrator.Devices;

public static class DigestCredential
{
    /// <summary>HA1 = MD5(username:realm:password), what an HTTP Digest verifier needs instead of the password.</summary>
    public static string Ha1(string username, string realm, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}")));
}

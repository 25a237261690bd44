using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Firmware;

/// <summary>
/// The token in an image URL: the scope it was given to (a device's serial or a campaign), the file and an expiry,
/// sealed by the orchestrator's Data Protection key ring, so every instance accepts another's links and nobody can
/// forge one or stretch it to another file or device.
/// </summary>
public sealed class FirmwareImageTokens(IDataProtectionProvider protection, IOptions<FirmwareImageOptions> options, TimeProvider clock)
{
    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Provisioning.Orchestrator.FirmwareImage").ToTimeLimitedDataProtector();

    public string Issue(string scope, string fileName) =>
        WebEncoders.Base64UrlEncode(_protector.Protect(Payload(scope, fileName), clock.GetUtcNow() + options.Value.TokenLifetime));

    /// <summary>Whether <paramref name="token"/> was issued for this scope and file and has not expired.</summary>
    public bool Admits(string token, string scope, string fileName)
    {
        try
        {
            var payload = _protector.Unprotect(WebEncoders.Base64UrlDecode(token), out var expiry);
            return expiry > clock.GetUtcNow() && CryptographicOperations.FixedTimeEquals(payload, Payload(scope, fileName));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false; // not ours, tampered with, or expired
        }
    }

    // A NUL cannot occur in either part (serials and file names are validated), so the pair is unambiguous.
    private static byte[] Payload(string scope, string fileName) => System.Text.Encoding.UTF8.GetBytes($"{scope}\0{fileName}");
}

using Microsoft.AspNetCore.DataProtection;
using Provisioning.Orchestrator.Devices;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// Device credentials at rest. The CWMP password is kept only as its Digest HA1 for the ACS realm ("Cwmp:Auth:Realm",
/// what the ACS asks LookupDevice for): enough to verify a CPE, useless as a password elsewhere. The Connection Request
/// password must be replayed to the CPE, so it is encrypted with ASP.NET Core Data Protection (keys in PostgreSQL).
/// Values written before this (clear text, no prefix) are still read.
/// </summary>
public sealed partial class DeviceSecrets(IDataProtectionProvider protection, IConfiguration configuration, ILogger<DeviceSecrets> logger)
{
    public const string Ha1Prefix = "ha1:";
    public const string ProtectedPrefix = "dp:";
    public const string DefaultRealm = "Provisioning ACS";
    private readonly IDataProtector _protector = protection.CreateProtector("Provisioning.Orchestrator.DeviceSecrets.ConnectionRequest");

    public string Realm => configuration["Cwmp:Auth:Realm"] is { Length: > 0 } realm ? realm : DefaultRealm;

    /// <summary>The record as stored: the passwords the request carried are replaced by their HA1 / ciphertext.</summary>
    public DeviceRecord Seal(DeviceRecord record, Wire.Device request) => record with
    {
        CwmpPassword = request.CwmpPassword.Length > 0 ? Ha1Prefix + DigestCredential.Ha1(record.CwmpUsername, Realm, request.CwmpPassword) : record.CwmpPassword,
        ConnectionRequestPassword = request.ConnectionRequestPassword.Length > 0 ? ProtectedPrefix + _protector.Protect(request.ConnectionRequestPassword) : record.ConnectionRequestPassword,
    };

    /// <summary>The HA1 for the realm the ACS asks with; empty when the device has none or it was kept for another realm.</summary>
    public string Ha1(DeviceRecord record, string realm)
    {
        if (record.CwmpPassword.Length == 0 || record.CwmpUsername.Length == 0) return "";
        if (!record.CwmpPassword.StartsWith(Ha1Prefix, StringComparison.Ordinal))
            return DigestCredential.Ha1(record.CwmpUsername, realm, record.CwmpPassword);
        if (!string.Equals(realm, Realm, StringComparison.Ordinal))
        {
            RealmMismatch(logger, realm, Realm);
            return "";
        }
        return record.CwmpPassword[Ha1Prefix.Length..];
    }

    public string ConnectionRequestPassword(DeviceRecord record)
    {
        var stored = record.ConnectionRequestPassword;
        if (!stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal)) return stored;
        try
        {
            return _protector.Unprotect(stored[ProtectedPrefix.Length..]);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            Undecryptable(logger, record.Id);
            return "";
        }
    }

    [LoggerMessage(4010, LogLevel.Warning, "The ACS asked for realm {Asked} but device passwords are kept for realm {Configured} (set Cwmp:Auth:Realm alike on both)")]
    private static partial void RealmMismatch(ILogger logger, string asked, string configured);

    [LoggerMessage(4011, LogLevel.Warning, "The Connection Request password of {SerialNumber} cannot be decrypted (data protection key lost?)")]
    private static partial void Undecryptable(ILogger logger, string serialNumber);
}

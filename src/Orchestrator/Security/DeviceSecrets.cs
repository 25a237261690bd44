using Microsoft.AspNetCore.DataProtection;
using Provisioning.Orchestrator.Devices;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// Device credentials at rest. The ACS verifies a CPE with the CWMP password's Digest HA1 for the ACS realm
/// ("Cwmp:Auth:Realm", what the ACS asks LookupDevice for), which is all it is ever given. Provisioning must write the
/// CWMP password and the Connection Request password to the CPE (a CPE that bootstrapped with the factory credential
/// would otherwise be locked out once provisioned), and Connection Requests replay the latter, so both are also kept
/// encrypted with ASP.NET Core Data Protection (keys in PostgreSQL). Values written before this (clear text, no
/// prefix) are still read.
/// </summary>
public sealed partial class DeviceSecrets(IDataProtectionProvider protection, IConfiguration configuration, ILogger<DeviceSecrets> logger)
{
    public const string Ha1Prefix = "ha1:";
    public const string ProtectedPrefix = "dp:";
    public const string DefaultRealm = "Provisioning ACS";
    private readonly IDataProtector _protector = protection.CreateProtector("Provisioning.Orchestrator.DeviceSecrets.ConnectionRequest");
    private readonly IDataProtector _cwmpProtector = protection.CreateProtector("Provisioning.Orchestrator.DeviceSecrets.Cwmp");

    public string Realm => configuration["Cwmp:Auth:Realm"] is { Length: > 0 } realm ? realm : DefaultRealm;

    /// <summary>The record as stored: the passwords the request carried are replaced by their HA1 / ciphertext.</summary>
    public DeviceRecord Seal(DeviceRecord record, Wire.Device request)
    {
        var bootstrapUsername = request.BootstrapUsername.Trim() is { Length: > 0 } named ? named : BootstrapUsername;
        var (agentHash, agentSalt) = request.AgentSecret.Length > 0 ? Contracts.Southbound.AgentSecret.Verifier(request.AgentSecret) : (record.AgentSecretSha256, record.AgentSecretSalt);
        return SealCwmp(record, request) with
        {
            BootstrapUsername = request.BootstrapPassword.Length > 0 ? bootstrapUsername : record.BootstrapUsername,
            BootstrapPassword = request.BootstrapPassword.Length > 0 ? Ha1Prefix + DigestCredential.Ha1(bootstrapUsername, Realm, request.BootstrapPassword) : record.BootstrapPassword,
            AgentSecretSha256 = agentHash,
            AgentSecretSalt = agentSalt,
            // The broker checks logins itself and reads only its own hash form: made now, as the clear secret is kept nowhere.
            AgentBrokerPasswordHash = request.AgentSecret.Length > 0 ? Contracts.Southbound.BrokerPasswordHash.Make(request.AgentSecret) : record.AgentBrokerPasswordHash,
        };
    }

    /// <summary>The username a bootstrap secret goes with when the inventory names none: the ACS's shared bootstrap username.</summary>
    public string BootstrapUsername => configuration["Cwmp:Auth:BootstrapUsername"] is { Length: > 0 } username ? username : "bootstrap";

    private DeviceRecord SealCwmp(DeviceRecord record, Wire.Device request) => record with
    {
        CwmpPassword = request.CwmpPassword.Length > 0 ? Ha1Prefix + DigestCredential.Ha1(record.CwmpUsername, Realm, request.CwmpPassword) : record.CwmpPassword,
        CwmpPasswordProtected = request.CwmpPassword.Length > 0 ? ProtectedPrefix + _cwmpProtector.Protect(request.CwmpPassword) : record.CwmpPasswordProtected,
        ConnectionRequestPassword = request.ConnectionRequestPassword.Length > 0 ? ProtectedPrefix + _protector.Protect(request.ConnectionRequestPassword) : record.ConnectionRequestPassword,
    };

    /// <summary>The HA1 for the realm the ACS asks with; empty when the device has none or it was kept for another realm.</summary>
    public string Ha1(DeviceRecord record, string realm) => Ha1(record.CwmpUsername, record.CwmpPassword, realm);

    /// <summary>The HA1 of a kept credential (bootstrap secret, previous credential) for the realm asked, as for the device's own.</summary>
    public string Ha1(string username, string stored, string realm)
    {
        if (stored.Length == 0 || username.Length == 0) return "";
        if (!stored.StartsWith(Ha1Prefix, StringComparison.Ordinal))
            return DigestCredential.Ha1(username, realm, stored);
        if (!string.Equals(realm, Realm, StringComparison.Ordinal))
        {
            RealmMismatch(logger, realm, Realm);
            return "";
        }
        return stored[Ha1Prefix.Length..];
    }

    public string ConnectionRequestPassword(DeviceRecord record) => Unprotect(_protector, record.ConnectionRequestPassword, record);

    /// <summary>The CWMP password to write to the CPE; empty for a device registered before it was kept (only its HA1 is).</summary>
    public string CwmpPassword(DeviceRecord record) =>
        record.CwmpPassword.Length > 0 && !record.CwmpPassword.StartsWith(Ha1Prefix, StringComparison.Ordinal)
            ? record.CwmpPassword
            : record.CwmpPasswordProtected.Length > 0 ? Unprotect(_cwmpProtector, record.CwmpPasswordProtected, record) : "";

    private string Unprotect(IDataProtector protector, string stored, DeviceRecord record)
    {
        if (!stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal)) return stored;
        try
        {
            return protector.Unprotect(stored[ProtectedPrefix.Length..]);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            Undecryptable(logger, record.Id);
            return "";
        }
    }

    [LoggerMessage(4010, LogLevel.Warning, "The ACS asked for realm {Asked} but device passwords are kept for realm {Configured} (set Cwmp:Auth:Realm alike on both)")]
    private static partial void RealmMismatch(ILogger logger, string asked, string configured);

    [LoggerMessage(4011, LogLevel.Warning, "A password of {SerialNumber} cannot be decrypted (data protection key lost?)")]
    private static partial void Undecryptable(ILogger logger, string serialNumber);
}

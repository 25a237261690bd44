using Microsoft.AspNetCore.DataProtection;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// A plan's secrets at rest: Wi-Fi keys and SIP passwords are stored encrypted with Data Protection, like device
/// secrets, and opened only when a push renders the plan. Plans stored before this (clear text, no prefix) still read.
/// A model profile's image server password is kept the same way, opened only for the download.
/// </summary>
public sealed class PlanSecrets(IDataProtectionProvider protection)
{
    private const string ProtectedPrefix = "dp:";
    private readonly IDataProtector _protector = protection.CreateProtector("Provisioning.Orchestrator.PlanSecrets");

    /// <summary>The plan as stored: its secrets replaced by their ciphertext.</summary>
    public ServicePlanDocument Seal(ServicePlanDocument plan) => plan with
    {
        Wifi = plan.Wifi.Select(w => w with { Key = Protect(w.Key) }).ToList(),
        VoipLines = plan.VoipLines.Select(l => l with { SipPassword = Protect(l.SipPassword) }).ToList(),
    };

    /// <summary>The plan as a push needs it: its secrets in clear.</summary>
    public ServicePlanDocument Open(ServicePlanDocument plan) => plan with
    {
        Wifi = plan.Wifi.Select(w => w with { Key = Unprotect(w.Key) }).ToList(),
        VoipLines = plan.VoipLines.Select(l => l with { SipPassword = Unprotect(l.SipPassword) }).ToList(),
    };

    /// <summary>A model profile as stored: its image server's password replaced by its ciphertext.</summary>
    public ModelProfileDocument Seal(ModelProfileDocument profile) =>
        profile.Firmware is { } firmware ? profile with { Firmware = firmware with { Password = Protect(firmware.Password) } } : profile;

    /// <summary>What a download needs of a model profile's firmware: the image and its server's credentials in clear.</summary>
    public FirmwareDownload Open(ModelFirmware firmware) => new(firmware.Image, firmware.Username, Unprotect(firmware.Password));

    private string Protect(string secret) =>
        secret.Length == 0 || secret.StartsWith(ProtectedPrefix, StringComparison.Ordinal) ? secret : ProtectedPrefix + _protector.Protect(secret);

    private string Unprotect(string stored) =>
        stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[ProtectedPrefix.Length..]) : stored;
}

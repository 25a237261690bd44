using Microsoft.AspNetCore.DataProtection;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// A plan's secrets at rest: Wi-Fi keys and SIP passwords are stored encrypted with Data Protection, like device
/// secrets, and opened only when a push renders the plan. Plans stored before this (clear text, no prefix) still read.
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

    private string Protect(string secret) =>
        secret.Length == 0 || secret.StartsWith(ProtectedPrefix, StringComparison.Ordinal) ? secret : ProtectedPrefix + _protector.Protect(secret);

    private string Unprotect(string stored) =>
        stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[ProtectedPrefix.Length..]) : stored;
}

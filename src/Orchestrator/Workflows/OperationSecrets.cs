using Microsoft.AspNetCore.DataProtection;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// An ad-hoc write's secret values: redacted wherever they are shown (events, the summary, logs) and kept sealed with
/// Data Protection in the first event, so a workflow resumed on another instance can still write them.
/// </summary>
public sealed class OperationSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Provisioning.Orchestrator.OperationSecrets");

    /// <summary>Parameter names that hold a secret whatever the caller's flag says (…Password, …KeyPassphrase, …Secret).</summary>
    public static bool IsSecretName(string name) =>
        name.Contains("Password", StringComparison.Ordinal) || name.Contains("Key", StringComparison.Ordinal) || name.Contains("Secret", StringComparison.Ordinal);

    public static PushedParameter Shown(string name, string value, string type, bool secret) =>
        new(name, secret ? PushedParameter.Redacted : value, type, secret);

    public RequestedParameter Seal(ParameterValue p)
    {
        var secret = p.Secret || IsSecretName(p.Name);
        return secret
            ? new RequestedParameter(p.Name, PushedParameter.Redacted, p.Type.ToString(), true, _protector.Protect(p.Value))
            : new RequestedParameter(p.Name, p.Value, p.Type.ToString(), false);
    }

    /// <summary>The value to write, in clear.</summary>
    public ParameterValue Open(RequestedParameter p) => new()
    {
        Name = p.Name,
        Value = p.Secret ? _protector.Unprotect(p.Sealed ?? "") : p.Value,
        Type = Enum.TryParse<ParameterType>(p.Type, out var type) ? type : ParameterType.String,
        Secret = p.Secret,
    };
}

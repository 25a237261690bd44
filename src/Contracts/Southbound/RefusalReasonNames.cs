namespace Provisioning.Contracts.Southbound;

/// <summary>The refusal reasons as the API, the metrics and the logs spell them (snake_case of the contract's enum), once for every host.</summary>
public static class RefusalReasonNames
{
    public static string Name(this RefusalReason reason) => reason switch
    {
        RefusalReason.WrongPassword => "wrong_password",
        RefusalReason.BootstrapRefused => "bootstrap_refused",
        RefusalReason.CredentialNotAdopted => "credential_not_adopted",
        RefusalReason.UnknownDevice => "unknown_device",
        RefusalReason.NotAuthenticated => "not_authenticated",
        RefusalReason.Replayed => "replayed",
        RefusalReason.OtherDevice => "other_device",
        RefusalReason.Policy => "policy",
        _ => "other",
    };
}

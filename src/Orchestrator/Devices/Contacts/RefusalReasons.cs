using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Devices;

/// <summary>The refusal reasons as the API and the metrics name them (snake_case of the contract's enum).</summary>
public static class RefusalReasons
{
    public const string UnknownDevice = "unknown_device";
    public const string Policy = "policy";

    public static string Name(RefusalReason reason) => reason switch
    {
        RefusalReason.WrongPassword => "wrong_password",
        RefusalReason.BootstrapRefused => "bootstrap_refused",
        RefusalReason.CredentialNotAdopted => "credential_not_adopted",
        RefusalReason.UnknownDevice => UnknownDevice,
        RefusalReason.NotAuthenticated => "not_authenticated",
        RefusalReason.Replayed => "replayed",
        RefusalReason.OtherDevice => "other_device",
        RefusalReason.Policy => Policy,
        _ => "other",
    };
}

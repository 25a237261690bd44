using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Devices;

/// <summary>The refusal reasons as the API and the metrics name them (snake_case of the contract's enum).</summary>
public static class RefusalReasons
{
    public const string UnknownDevice = "unknown_device";
    public const string Policy = "policy";

    public static string Name(RefusalReason reason) => reason.Name();
}

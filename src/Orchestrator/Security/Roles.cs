namespace Provisioning.Orchestrator.Security;

/// <summary>Who may call what: operators provision and read, admins also keep inventory and plans, adapters report contacts.</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string Admin = "admin";
    /// <summary>Held only by the internal key: the adapters' DeviceContacts calls.</summary>
    public const string Adapter = "adapter";
}

public static class Policies
{
    /// <summary>ProvisioningService: operator or admin.</summary>
    public const string Operator = "operator";
    /// <summary>InventoryService: admin.</summary>
    public const string Admin = "admin";
    /// <summary>DeviceContacts: the adapters (internal key).</summary>
    public const string Adapter = "adapter";
}

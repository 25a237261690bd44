namespace Provisioning.Orchestrator.Security;

/// <summary>Security log lines. Keys and tokens are never logged, except the generated admin key once, at its creation.</summary>
public static partial class SecurityLog
{
    // The key itself is never logged (logs are shipped and kept elsewhere); the file is readable by its owner only.
    [LoggerMessage(4001, LogLevel.Warning, "No API key or JWT settings configured: generated an admin key for this installation into {KeyFile} (owner-only file; the cpe tool reads it, or pass its AdminKey as the bearer token)")]
    public static partial void AdminKeyCreated(ILogger logger, string keyFile);

    [LoggerMessage(4002, LogLevel.Information, "No API key or JWT settings configured: the admin key generated at first start is in {KeyFile}")]
    public static partial void AdminKeyInFile(ILogger logger, string keyFile);

    [LoggerMessage(4003, LogLevel.Information, "Rejected a bearer key on {Path}")]
    public static partial void KeyRejected(ILogger logger, string path);

    [LoggerMessage(4004, LogLevel.Information, "Admin change {Change} by {Principal}: {Count} item(s)")]
    public static partial void AdminChange(ILogger logger, string change, string principal, int count);

    [LoggerMessage(4020, LogLevel.Warning, "A contact report for {Device} named adapter address {Address}, which is not a registered adapter instance (Orchestrator:Adapters): route not stored")]
    public static partial void UnregisteredAdapterAddress(ILogger logger, string device, string address);

    [LoggerMessage(4022, LogLevel.Warning, "Refused a JWT claiming the adapter role for {Subject}: that role comes only with the internal key")]
    public static partial void AdapterRoleInToken(ILogger logger, string subject);
}

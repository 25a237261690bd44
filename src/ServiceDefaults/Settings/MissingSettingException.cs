namespace Provisioning.ServiceDefaults.Settings;

/// <summary>A setting the host cannot start without; its message says which, and what to set.</summary>
public sealed class MissingSettingException(string message) : InvalidOperationException(message);

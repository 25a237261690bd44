using Microsoft.Extensions.Configuration;

namespace Provisioning.ServiceDefaults.Connections;

/// <summary>
/// Divides the process's open-file limit between its listeners, so that every listener has a budget of its own and
/// together they stay clear of the limit (the rest is for the store's pool, the broker, logs and outgoing calls).
/// A listener's budget can be set in "Limits:Connections:&lt;listener&gt;"; otherwise it is its share of the limit.
/// </summary>
public static class ConnectionBudgets
{
    public const string Section = "Limits:Connections";

    /// <summary>Shares of the open-file limit (the device-facing listeners hold the long-lived connections).</summary>
    private static readonly Dictionary<string, double> Shares = new(StringComparer.OrdinalIgnoreCase)
    {
        [Acs] = 0.40,
        [Usp] = 0.35,
        [Northbound] = 0.05,
        [CwmpInternal] = 0.03,
        [UspInternal] = 0.03,
        [FirmwareImages] = 0.03,
    };

    public const string Acs = "acs";
    public const string Usp = "usp";
    public const string Northbound = "northbound";
    public const string CwmpInternal = "cwmp-internal";
    public const string UspInternal = "usp-internal";
    public const string FirmwareImages = "firmware-images";

    public static ConnectionBudget For(IConfiguration configuration, string listener)
    {
        var configured = configuration.GetSection(Section)[listener];
        if (configured is { Length: > 0 })
        {
            if (!int.TryParse(configured, out var limit) || limit < 1)
                throw new InvalidOperationException($"{Section}:{listener} must be a whole number of connections of at least 1 (is '{configured}')");
            return new ConnectionBudget(listener, limit);
        }
        var share = Shares.GetValueOrDefault(listener, 0.03);
        return new ConnectionBudget(listener, (int)Math.Max(16, Math.Min(int.MaxValue, OpenFileLimit.Current * share)));
    }
}

namespace Provisioning.Contracts.DataModel;

/// <summary>
/// The Wi-Fi security modes a plan may name (TR-181 AccessPoint.{i}.Security.ModeEnabled values), and which of them
/// take a passphrase: one list for the admin API, the plan file import and the renderer.
/// </summary>
public static class WifiSecurityMode
{
    /// <summary>What an empty mode means.</summary>
    public const string Default = "WPA2-Personal";
    public const string Open = "None";

    public static readonly IReadOnlyList<string> Known =
    [
        Open, "WPA-Personal", "WPA2-Personal", "WPA3-Personal", "WPA-WPA2-Personal", "WPA3-Personal-Transition",
        "WPA2-Enterprise", "WPA3-Enterprise", "WPA-WPA2-Enterprise",
    ];

    /// <summary>The mode as pushed: the plan's, in its canonical spelling, or the default when empty; null when unknown.</summary>
    public static string? Canonical(string? mode) =>
        string.IsNullOrWhiteSpace(mode) ? Default : Known.FirstOrDefault(k => string.Equals(k, mode.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Personal modes need the WPA passphrase; an open network has none, Enterprise ones authenticate against RADIUS.</summary>
    public static bool TakesPassphrase(string mode) => mode.EndsWith("-Personal", StringComparison.OrdinalIgnoreCase)
        || mode.EndsWith("-Personal-Transition", StringComparison.OrdinalIgnoreCase);

    /// <summary>IEEE 802.11i: a passphrase is 8 to 63 printable ASCII characters.</summary>
    public static bool IsPassphrase(string key) => key.Length is >= 8 and <= 63 && key.All(c => c is >= ' ' and <= '~');

    /// <summary>Why the key does not fit the mode, or null when it does.</summary>
    public static string? KeyProblem(string mode, string key)
    {
        if (TakesPassphrase(mode)) return IsPassphrase(key) ? null : "must be a WPA passphrase of 8 to 63 printable ASCII characters";
        // Not needed (and not pushed) for an open or Enterprise network; kept only if it could be a passphrase later.
        return key.Length == 0 || IsPassphrase(key) ? null : "must be empty or a WPA passphrase of 8 to 63 printable ASCII characters";
    }
}

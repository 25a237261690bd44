namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>
/// TR-181 Device.DeviceInfo.FirmwareImage.{i}. banks: a new image goes into one the agent is not running from, so a
/// failed download or activation leaves the running image intact.
/// </summary>
internal static class FirmwareBanks
{
    public const string Table = "Device.DeviceInfo.FirmwareImage.";
    public const string ActiveImage = "Device.DeviceInfo.ActiveFirmwareImage";
    public const string SoftwareVersion = "Device.DeviceInfo.SoftwareVersion";

    /// <summary>
    /// The image to download into, from a Get of the table and ActiveFirmwareImage: the lowest-numbered image that is not
    /// the active one, or the only image an agent with a single bank has; null when the agent lists none. An agent that
    /// does not say which is active (no ActiveFirmwareImage) is taken to run from its first image.
    /// </summary>
    public static string? Choose(IReadOnlyDictionary<string, string> values)
    {
        var images = values.Keys
            .Where(p => p.StartsWith(Table, StringComparison.Ordinal))
            .Select(p => p[Table.Length..].Split('.', 2)[0])
            .Select(i => uint.TryParse(i, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Where(n => n > 0)
            .Distinct()
            .Order()
            .Select(n => Table + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".")
            .ToList();
        if (images.Count == 0) return null;
        if (images.Count == 1) return images[0];
        // A reference is written with or without its trailing dot ("Device.DeviceInfo.FirmwareImage.1").
        var active = values.GetValueOrDefault(ActiveImage) is { Length: > 0 } a ? a.TrimEnd('.') + "." : images[0];
        return images.FirstOrDefault(i => i != active) ?? images[0];
    }
}

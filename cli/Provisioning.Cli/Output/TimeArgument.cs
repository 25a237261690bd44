using System.Globalization;
using System.Text.RegularExpressions;

namespace Provisioning.Cli.Output;

/// <summary>
/// A point in time given on the command line: an ISO 8601 time ("2026-11-24T06:00:00Z"; no offset means
/// UTC) or an age relative to now ("90s", "15m", "2h", "7d").
/// </summary>
public static partial class TimeArgument
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        var relative = Relative().Match(text.Trim());
        if (relative.Success)
        {
            var amount = double.Parse(relative.Groups["amount"].Value, CultureInfo.InvariantCulture);
            var age = relative.Groups["unit"].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            value = now - age;
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    public const string Help = "ISO 8601 time (UTC unless an offset is given) or an age such as 30m, 2h, 7d";

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>[smhd])$")]
    private static partial Regex Relative();
}

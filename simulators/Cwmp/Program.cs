using System.Globalization;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.DataModel;

// dotnet run --project simulators/Cwmp -- --acs http://127.0.0.1:7547/ --devices 1000 [--concurrency 200]
//   [--prefix SIM] [--username bootstrap --password bootstrap] [--auth auto|basic|digest] [--model tr181|tr098]
//   [--cr-port 0] [--linger 0]   (linger: seconds to keep answering Connection Requests after the bootstrap)
//   [--retries 10] [--retry-wait 5]   (a failed session is retried as TR-069 3.2.1.1 says: CWMPRetryMinimumWaitInterval
//                                      seconds, doubling, at most this many times; --retries 0 never retries)
var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) continue;
    settings[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
}
if (!settings.TryGetValue("acs", out var acs) || !Uri.TryCreate(acs, UriKind.Absolute, out var acsUrl))
{
    Console.Error.WriteLine("usage: --acs http://host:7547/ --devices N [--concurrency C] [--prefix SIM] [--username U --password P] [--auth auto|basic|digest] [--model tr181|tr098] [--cr-port P] [--linger S] [--retries N] [--retry-wait S]");
    return 2;
}
int Int(string key, int fallback) => settings.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var count = Int("devices", 10);
var concurrency = Int("concurrency", Math.Min(count, 500));
var prefix = settings.GetValueOrDefault("prefix") ?? "SIM";
var model = settings.GetValueOrDefault("model")?.ToLowerInvariant() == "tr098" ? DataModelKind.Tr098 : DataModelKind.Tr181;
var scheme = Enum.Parse<CpeAuthScheme>(settings.GetValueOrDefault("auth") ?? "Auto", ignoreCase: true);

await using var fleet = await CwmpFleet.StartAsync(new CwmpFleetOptions { ConnectionRequestPort = Int("cr-port", 0) });
for (var i = 1; i <= count; i++)
{
    fleet.Add(new SimulatedCpeOptions
    {
        SerialNumber = $"{prefix}{i:D6}",
        AcsUrl = acsUrl,
        DataModel = model,
        Username = settings.GetValueOrDefault("username") ?? "bootstrap",
        Password = settings.GetValueOrDefault("password") ?? "bootstrap",
        AuthScheme = scheme,
    });
}
Console.WriteLine($"{count} simulated CPEs ({model}) bootstrapping against {acsUrl} with {concurrency} concurrent sessions");
var retry = new SessionRetry(TimeSpan.FromSeconds(Int("retry-wait", 5)), MaxRetries: Int("retries", SessionRetry.Default.MaxRetries));
var summary = await fleet.BootstrapAllAsync(concurrency, retry);
Console.WriteLine(summary);
var linger = Int("linger", 0);
if (linger > 0)
{
    Console.WriteLine($"Answering Connection Requests for {linger} s");
    await Task.Delay(TimeSpan.FromSeconds(linger));
}
return summary.Failed == 0 ? 0 : 1;

using Provisioning.Simulators.Usp.Fleet;

// usp-agents [--url ws://127.0.0.1:8081/usp | --mqtt mqtt://127.0.0.1:1883] [--count 100] [--prefix SIMUSP]
//            [--controller self::provisioning-controller] [--topic usp/controller/...] [--seconds 0 (until Ctrl+C)]
//            [--secret S (every agent) | --secret-seed SEED (per agent: AgentSecrets.Derive(SEED, endpoint id))]
var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"unexpected argument {args[i]}"); return 2; }
    settings[args[i][2..]] = args[i + 1];
}
string Setting(string name, string fallback) => settings.TryGetValue(name, out var v) ? v : fallback;

var count = int.Parse(Setting("count", "100"), System.Globalization.CultureInfo.InvariantCulture);
var seconds = int.Parse(Setting("seconds", "0"), System.Globalization.CultureInfo.InvariantCulture);
Uri? ws = settings.ContainsKey("mqtt") ? null : new Uri(Setting("url", "ws://127.0.0.1:8081/usp"));
Uri? mqtt = settings.TryGetValue("mqtt", out var broker) ? new Uri(broker) : null;
var controller = Setting("controller", "self::provisioning-controller");
var prefix = Setting("prefix", "SIMUSP");
var topic = settings.GetValueOrDefault("topic");
Func<string, string>? secretFor = settings.TryGetValue("secret", out var secret) ? _ => secret
    : settings.TryGetValue("secret-seed", out var seed) ? eid => Provisioning.Simulators.Usp.Agents.AgentSecrets.Derive(seed, eid)
    : null;

await using var fleet = UspAgentFleet.Create(count, i => UspAgentFleet.DefaultOptions(i, prefix, ws, mqtt, controller, topic, secretFor));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
if (seconds > 0) stop.CancelAfter(TimeSpan.FromSeconds(seconds));

await fleet.StartAsync(cancellationToken: stop.Token).ConfigureAwait(false);
Console.WriteLine($"started {count} USP agents against {(object?)ws ?? mqtt}");
try
{
    while (!stop.IsCancellationRequested)
    {
        await Task.Delay(TimeSpan.FromSeconds(5), stop.Token).ConfigureAwait(false);
        Console.WriteLine(fleet.Summary());
    }
}
catch (OperationCanceledException)
{
}
Console.WriteLine("final: " + fleet.Summary());
return 0;

using System.CommandLine;
using Provisioning.Simulators.Cwmp.DataModel;

namespace Provisioning.Simulators.Cwmp;

/// <summary>The simulator's command line: a fleet of CPEs bootstrapping against one ACS.</summary>
public static class FleetCommand
{
    public static RootCommand Create()
    {
        var acs = new Option<Uri>("--acs") { CustomParser = AbsoluteUri, Description = "the ACS URL the CPEs inform to (ManagementServer.URL)", Required = true };
        var devices = new Option<int>("--devices") { Description = "how many CPEs", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int?>("--concurrency") { Description = "concurrent CWMP sessions (default: devices, at most 500)" };
        var prefix = new Option<string>("--prefix") { Description = "serial number prefix (serials are PREFIX000001...)", DefaultValueFactory = _ => "SIM" };
        var username = new Option<string>("--username") { Description = "the CPEs' ACS username (bootstrap credential)", DefaultValueFactory = _ => "bootstrap" };
        var password = new Option<string>("--password") { Description = "the CPEs' ACS password (bootstrap credential)", DefaultValueFactory = _ => "bootstrap" };
        var auth = new Option<CpeAuthScheme>("--auth") { Description = "what the CPEs answer a challenge with", DefaultValueFactory = _ => CpeAuthScheme.Auto };
        var model = new Option<DataModelKind>("--model") { Description = "the CPEs' root data model (Tr181: Device., Tr098: InternetGatewayDevice.)", DefaultValueFactory = _ => DataModelKind.Tr181 };
        var crPort = new Option<int>("--cr-port") { Description = "the fleet's Connection Request port (0: any free port)", DefaultValueFactory = _ => 0 };
        var linger = new Option<int>("--linger") { Description = "seconds to keep answering Connection Requests after the bootstrap", DefaultValueFactory = _ => 0 };
        var retries = new Option<int>("--retries") { Description = "retries of a failed session (TR-069 3.2.1.1; 0 never retries)", DefaultValueFactory = _ => SessionRetry.Default.MaxRetries };
        var retryWait = new Option<int>("--retry-wait") { Description = "CWMPRetryMinimumWaitInterval in seconds (doubling at each retry)", DefaultValueFactory = _ => 5 };
        var downloadFault = new Option<uint?>("--download-fault")
        {
            Description = "failing CPEs end every Download with this TransferComplete FaultCode (9010 transfer failure, 9012 server authentication, "
                + "9015 server unreachable, 9016 file not accessible, 9017 incomplete, 9018 corrupted, 9019 file authentication); "
                + "without it the code comes from the real HTTP fetch",
        };
        var keepOldFirmware = new Option<bool>("--keep-old-firmware")
        {
            Description = "failing CPEs report a firmware Download as done (FaultCode 0) and reboot, but come back with the old SoftwareVersion",
        };
        var failingPercent = new Option<int>("--failing-percent")
        {
            Description = "share of the fleet (0-100, spread evenly over the serials) that --download-fault / --keep-old-firmware apply to",
            DefaultValueFactory = _ => 100,
        };
        downloadFault.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<uint?>() is { } code && code is not (9010 or 9012 or 9013 or (>= 9014 and <= 9019)))
                r.AddError("--download-fault must be a file transfer fault code (9010, 9012-9019)");
        });
        failingPercent.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 100) r.AddError("--failing-percent must be 0-100"); });
        devices.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--devices must be at least 1"); });
        foreach (var nonNegative in new[] { crPort, linger, retries, retryWait })
            nonNegative.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError($"{nonNegative.Name} must not be negative"); });

        var root = new RootCommand("A fleet of simulated TR-069 CPEs that bootstrap against an ACS (0 BOOTSTRAP, 1 BOOT), answer its RPCs and its Connection Requests.")
        {
            acs, devices, concurrency, prefix, username, password, auth, model, crPort, linger, retries, retryWait,
            downloadFault, keepOldFirmware, failingPercent,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(devices);
            var acsUrl = parse.GetValue(acs)!;
            var dataModel = parse.GetValue(model);
            await using var fleet = await CwmpFleet.StartAsync(new CwmpFleetOptions { ConnectionRequestPort = parse.GetValue(crPort) }).ConfigureAwait(false);
            for (var i = 1; i <= count; i++)
            {
                fleet.Add(new SimulatedCpeOptions
                {
                    SerialNumber = $"{parse.GetValue(prefix)}{i:D6}",
                    AcsUrl = acsUrl,
                    DataModel = dataModel,
                    Username = parse.GetValue(username)!,
                    Password = parse.GetValue(password)!,
                    AuthScheme = parse.GetValue(auth),
                }, Failing(i, parse.GetValue(failingPercent)) ? new CpeBehavior { DownloadFault = parse.GetValue(downloadFault), KeepsOldFirmware = parse.GetValue(keepOldFirmware) } : null);
            }
            var sessions = parse.GetValue(concurrency) ?? Math.Min(count, 500);
            Console.WriteLine($"{count} simulated CPEs ({dataModel}) bootstrapping against {acsUrl} with {sessions} concurrent sessions");
            var retry = new SessionRetry(TimeSpan.FromSeconds(parse.GetValue(retryWait)), MaxRetries: parse.GetValue(retries));
            var summary = await fleet.BootstrapAllAsync(sessions, retry).ConfigureAwait(false);
            Console.WriteLine(summary);
            if (parse.GetValue(linger) is > 0 and var seconds)
            {
                Console.WriteLine($"Answering Connection Requests for {seconds} s");
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
            }
            return summary.Failed == 0 ? 0 : 1;
        });
        return root;
    }

    // Device i fails when its share crosses a whole percent: 10% is every tenth device, spread over the fleet.
    private static bool Failing(int index, int percent) => index * percent / 100 != (index - 1) * percent / 100;

    // System.CommandLine has no Uri parser of its own.
    private static Uri? AbsoluteUri(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri)) return uri;
        result.AddError($"'{text}' is not an absolute URL");
        return null;
    }
}

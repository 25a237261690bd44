using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;
using Spectre.Console;

namespace Provisioning.Cli.Demo;

public sealed record DemoOptions(Uri AcsUrl, Uri? UspUrl, string UspControllerEndpointId, TimeSpan Duration);

/// <summary>
/// `cpe demo`: registers the demo plans and devices, starts the CWMP CPEs and USP agents against the running
/// adapters, shows the devices' events live until every workflow ended (or the time is up), then a summary
/// per device and the failure report.
/// </summary>
public sealed class DemoRun(ServerConnection connection, IAnsiConsole console, DemoOptions options)
{
    // The parameter the faulty devices refuse or ignore: present in every plan, on both protocols.
    private const string SsidParameter = "Device.WiFi.SSID.1.SSID";

    private readonly ConcurrentDictionary<string, ProvisioningEvent> _outcomes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<SessionResult>> _cpeSessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedUspAgent> _agents = new(StringComparer.Ordinal);

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var scenario = new DemoScenario(withUsp: options.UspUrl is not null);
        var startedAt = DateTimeOffset.UtcNow;
        console.MarkupLine(Markup.Escape(
            $"demo run {scenario.RunId}: {scenario.Devices.Count} devices ({Describe(scenario)}) against {connection.Address}"));

        await RegisterAsync(scenario, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serials = scenario.Devices.Select(d => d.SerialNumber).ToHashSet(StringComparer.Ordinal);
        var events = ShowEventsAsync(serials, await StreamHead.EstimateAsync(connection, cancellationToken), stop.Token);

        IReadOnlyList<string> unreached = [];
        await using (var fleet = await CwmpFleet.StartAsync())
        {
            var agents = new List<SimulatedUspAgent>();
            try
            {
                // Devices come online one after another over the first part of the run, so the events
                // arrive as a stream to watch rather than in one burst.
                var pause = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(3).Ticks, options.Duration.Ticks / (4 * scenario.Devices.Count)));
                var sessions = new List<Task>();
                foreach (var device in scenario.Devices)
                {
                    if (device.Protocol == DeviceProtocol.Cwmp)
                    {
                        var session = fleet.Add(CpeOptions(device), CpeBehaviorOf(device)).BootstrapAsync(stop.Token);
                        sessions.Add(session);
                        _cpeSessions[device.SerialNumber] = session;
                    }
                    else if (StartUspAgent(scenario, device) is { } agent)
                    {
                        agents.Add(agent);
                        _agents[device.SerialNumber] = agent;
                    }
                    await Task.Delay(pause, cancellationToken);
                }

                var deadline = startedAt + options.Duration;
                while (_outcomes.Count < serials.Count && DateTimeOffset.UtcNow < deadline && !events.IsCompleted)
                    await Task.Delay(200, cancellationToken);
                if (events.IsFaulted) await events; // surfaces the server's error as the command's
                await stop.CancelAsync();
                foreach (var session in sessions) await IgnoreCancellation(session);
                await IgnoreCancellation(events);
                unreached = Unreached(scenario);
            }
            finally
            {
                foreach (var agent in agents) await agent.DisposeAsync();
            }
        }

        var asExpected = ShowSummary(scenario);
        foreach (var line in unreached) console.MarkupLine("[red]" + Markup.Escape(line) + "[/]");
        await ShowFailureReportAsync(startedAt, scenario, cancellationToken);
        var example = scenario.Devices.FirstOrDefault(d => d.Behavior == DemoBehavior.RejectsSsid) ?? scenario.Devices[0];
        console.MarkupLine(Markup.Escape(
            $"next: cpe device {example.SerialNumber}  |  cpe replay --since 10m --result config_push_failed  |  cpe watch"));
        return asExpected ? ExitCodes.Success : ExitCodes.Failed;
    }

    private async Task RegisterAsync(DemoScenario scenario, CancellationToken cancellationToken)
    {
        var plans = new UpsertServicePlansRequest();
        plans.Plans.AddRange(DemoScenario.Plans());
        await connection.Inventory.UpsertServicePlansAsync(plans, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
        var devices = new UpsertDevicesRequest();
        devices.Devices.AddRange(scenario.Inventory());
        await connection.Inventory.UpsertDevicesAsync(devices, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
        console.MarkupLine(Markup.Escape(
            $"registered plans {DemoScenario.GoldPlan}, {DemoScenario.BasicPlan} and {scenario.Devices.Count} devices; starting the simulators"));
    }

    private async Task ShowEventsAsync(HashSet<string> serials, long afterPosition, CancellationToken cancellationToken)
    {
        // The demo's serial numbers are new, so every event of theirs comes after the stream's current end.
        using var stream = connection.Provisioning.StreamProvisioningEvents(
            new StreamProvisioningEventsRequest { Follow = true, AfterPosition = afterPosition }, cancellationToken: cancellationToken);
        await foreach (var e in stream.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (!serials.Contains(e.SerialNumber)) continue;
            console.MarkupLine(EventText.Markup(e));
            if (e.PayloadCase is ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded
                or ProvisioningEvent.PayloadOneofCase.ProvisioningFailed
                or ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled)
            {
                _outcomes[e.SerialNumber] = e;
            }
        }
    }

    private SimulatedUspAgent? StartUspAgent(DemoScenario scenario, DemoDevice device)
    {
        if (options.UspUrl is null) return null;
        var agent = new SimulatedUspAgent(new UspAgentOptions
        {
            Identity = new AgentIdentity(device.SerialNumber, DemoScenario.Oui, device.Model, "Simulated Networks", device.Model, device.Firmware),
            WebSocketUrl = options.UspUrl,
            ControllerEndpointId = options.UspControllerEndpointId,
            Secret = scenario.AgentSecretOf(device),
        });
        if (device.Behavior == DemoBehavior.RejectsSsid) agent.InjectError(SsidParameter, 7012);
        if (device.Behavior == DemoBehavior.IgnoresSsid) agent.IgnoreWritesTo(SsidParameter);
        agent.Start();
        return agent;
    }

    private SimulatedCpeOptions CpeOptions(DemoDevice device) => new()
    {
        SerialNumber = device.SerialNumber,
        AcsUrl = options.AcsUrl,
        Oui = DemoScenario.Oui,
        ProductClass = device.Model,
        ModelName = device.Model,
        SoftwareVersion = device.Firmware,
        Username = device.SerialNumber,
        Password = device.CwmpPassword,
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    private static CpeBehavior CpeBehaviorOf(DemoDevice device) => device.Behavior switch
    {
        DemoBehavior.RejectsSsid => new CpeBehavior().WithFault(SsidParameter, 9007),
        DemoBehavior.IgnoresSsid => new CpeBehavior().Ignoring(SsidParameter),
        _ => new CpeBehavior(),
    };

    /// <summary>
    /// Devices with no outcome whose simulator never got through to the adapter, said plainly with the URL it used: a
    /// demo pointed at the wrong port used to end with "see their events above" and no events.
    /// </summary>
    private IReadOnlyList<string> Unreached(DemoScenario scenario)
    {
        var lines = new List<string>();
        foreach (var device in scenario.Devices.Where(d => !_outcomes.ContainsKey(d.SerialNumber)))
        {
            if (_cpeSessions.TryGetValue(device.SerialNumber, out var session) && !(session.IsCompletedSuccessfully && session.Result.RequestsFromAcs.Count > 0))
            {
                var why = session.IsCompletedSuccessfully ? session.Result.Error : session.Exception?.GetBaseException().Message ?? "still trying when the demo ended";
                lines.Add($"{device.SerialNumber}: no CWMP session with the ACS at {options.AcsUrl} ({why}); is the ACS listening there? (--acs-url)");
            }
            else if (_agents.TryGetValue(device.SerialNumber, out var agent) && !agent.IsConnected && agent.Statistics.Connects == 0)
                lines.Add($"{device.SerialNumber}: the USP agent never connected to the controller at {options.UspUrl} ({agent.LastRefusal?.Message ?? agent.LastConnectError?.Message ?? "no answer"}); is the controller listening there? (--usp-url)");
        }
        return lines;
    }

    private bool ShowSummary(DemoScenario scenario)
    {
        var table = new Table().Title($"demo run {scenario.RunId}");
        table.AddColumn(new TableColumn("Device").NoWrap());
        table.AddColumns("Protocol", "Model", "Firmware", "Plan", "Expected", "Result", "Failed step", "Fault");
        table.AddColumn(new TableColumn("Trace id").NoWrap());
        var asExpected = true;
        foreach (var device in scenario.Devices)
        {
            var expected = Expected(device.Behavior);
            var outcome = _outcomes.GetValueOrDefault(device.SerialNumber);
            var (result, step, fault) = outcome?.PayloadCase switch
            {
                ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded => (ProtoNames.Short(WorkflowResult.Success), "", ""),
                ProvisioningEvent.PayloadOneofCase.ProvisioningFailed => (
                    ProtoNames.Short(outcome.ProvisioningFailed.Result),
                    ProtoNames.Short(outcome.ProvisioningFailed.Step),
                    outcome.ProvisioningFailed.FaultCode == 0 ? "" : outcome.ProvisioningFailed.FaultCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled => (ProtoNames.Short(WorkflowResult.Cancelled), "", ""),
                _ => ("no result yet", "", ""),
            };
            asExpected &= result == expected;
            var colour = result == ProtoNames.Short(WorkflowResult.Success) ? "green" : result == expected ? "yellow" : "red";
            table.AddRow(
                Markup.Escape(device.SerialNumber),
                ProtoNames.Short(device.Protocol),
                Markup.Escape(device.Model),
                Markup.Escape(device.Firmware),
                Markup.Escape(device.Plan),
                expected,
                $"[{colour}]{Markup.Escape(result)}[/]",
                step,
                fault,
                Markup.Escape(outcome?.TraceId ?? ""));
        }
        console.Write(table);
        console.MarkupLine(asExpected
            ? "every device ended as its behaviour predicts (healthy ones provisioned, faulty ones failed at the step their fault hits)"
            : "[red]some devices did not end as expected: see their events above[/]");
        return asExpected;
    }

    private async Task ShowFailureReportAsync(DateTimeOffset startedAt, DemoScenario scenario, CancellationToken cancellationToken)
    {
        var failures = _outcomes.Values.Count(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ProvisioningFailed);
        var request = new GetFailureReportRequest
        {
            From = Timestamp.FromDateTimeOffset(startedAt.AddMinutes(-1)),
            To = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(1)),
        };
        // The failure statistics are a projection: give it a moment to catch up with the last failures.
        FailureReport report;
        var until = DateTime.UtcNow.AddSeconds(10);
        do
        {
            report = await connection.Provisioning.GetFailureReportAsync(request, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
            if (report.TotalFailed >= failures) break;
            await Task.Delay(250, cancellationToken);
        }
        while (DateTime.UtcNow < until);
        console.MarkupLine(Markup.Escape($"failure report (GetFailureReport) since the demo started, run {scenario.RunId} included:"));
        Commands.FailuresCommand.WriteTable(report, startedAt.AddMinutes(-1), DateTimeOffset.UtcNow, console);
    }

    public static string Expected(DemoBehavior behavior) => ProtoNames.Short(behavior switch
    {
        DemoBehavior.Healthy => WorkflowResult.Success,
        DemoBehavior.RejectsSsid => WorkflowResult.ConfigPushFailed,
        DemoBehavior.IgnoresSsid => WorkflowResult.VerificationFailed,
        _ => WorkflowResult.NoProfile,
    });

    private static string Describe(DemoScenario scenario) => string.Join(", ",
        scenario.Devices.GroupBy(d => (d.Protocol, Healthy: d.Behavior == DemoBehavior.Healthy))
            .Select(g => $"{g.Count()} {ProtoNames.Short(g.Key.Protocol)} {(g.Key.Healthy ? "healthy" : "faulty")}"));

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
        }
    }
}

using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Provisioning.Orchestrator.Telemetry;
using YamlDotNet.RepresentationModel;

namespace Provisioning.Observability.Tests;

/// <summary>
/// Checks what promtool cannot: that the alerts read metrics the orchestrator actually emits (as the
/// collector's Prometheus exporter names them) and that each alert has unit tests both ways.
/// promtool itself runs in scripts/check-alerts.sh.
/// </summary>
public sealed partial class AlertRulesTests
{
    /// <summary>The orchestrator's instruments (name, unit, kind), as its Meter publishes them.</summary>
    private static IReadOnlyList<(string Name, string Unit, string Kind)> OrchestratorInstruments()
    {
        var found = new List<(string, string, string)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter != OrchestratorTelemetry.Meter) return;
                var kind = instrument.GetType().GetGenericTypeDefinition() switch
                {
                    var t when t == typeof(Histogram<>) => "histogram",
                    var t when t == typeof(Counter<>) => "counter",
                    _ => "gauge",
                };
                lock (found) found.Add((instrument.Name, instrument.Unit ?? "", kind));
            },
        };
        // Start() reports every instrument created so far; the static class creates them all at once.
        listener.Start();
        return found;
    }

    private static readonly string[] ExpectedAlerts =
    [
        "CpeProvisioningFailureRateHigh",
        "CpeProvisioningSlow",
        "CpeVerificationMismatches",
        "CpeActiveSessionsAboveCapacity",
        "CpeDeviceContactsRefused",
    ];

    private static IReadOnlyList<YamlMappingNode> Rules() =>
        YamlFile.Load("cpe-alerts.yml").MappingList("groups").SelectMany(group => group.MappingList("rules")).ToList();

    /// <summary>The collector's Prometheus exporter naming: dots to underscores, unit suffix, _total for counters.</summary>
    private static IEnumerable<string> PrometheusSeries((string Name, string Unit, string Kind) instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var unit = instrument.Unit switch { "ms" => "_milliseconds", "s" => "_seconds", _ => "" };
        return instrument.Kind switch
        {
            "histogram" => new[] { "_bucket", "_sum", "_count" }.Select(suffix => name + unit + suffix),
            "counter" => [name + unit + "_total"],
            _ => [name + unit],
        };
    }

    [Fact]
    public void The_four_alerts_exist_with_severity_summary_and_next_step()
    {
        var rules = Rules();
        Assert.Equal(ExpectedAlerts.Order(), rules.Select(rule => rule.Scalar("alert")!).Order());
        foreach (var rule in rules)
        {
            Assert.Contains(rule.Mapping("labels").Scalar("severity"), new[] { "critical", "warning" });
            var annotations = rule.Mapping("annotations");
            Assert.False(string.IsNullOrWhiteSpace(annotations.Scalar("summary")));
            Assert.Contains("cpe device <serial>", annotations.Scalar("description"));
        }
    }

    [Fact]
    public void Alerts_only_read_metrics_the_orchestrator_emits()
    {
        var instruments = OrchestratorInstruments();
        Assert.Contains(instruments, i => i.Name == "cpe.provision.duration" && i.Unit == "ms" && i.Kind == "histogram");
        Assert.Contains(instruments, i => i.Name == "cpe.provision.count" && i.Kind == "counter");
        var emitted = instruments.SelectMany(PrometheusSeries).ToHashSet();
        foreach (var rule in Rules())
        {
            var referenced = MetricName().Matches(rule.Scalar("expr")!).Select(match => match.Value).ToList();
            Assert.NotEmpty(referenced);
            Assert.All(referenced, metric => Assert.Contains(metric, emitted));
        }
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_silent_unit_test()
    {
        var tests = YamlFile.Load("cpe-alerts.test.yml").MappingList("tests");
        var cases = tests.SelectMany(test => test.MappingList("alert_rule_test")).ToList();
        Assert.True(cases.Count >= 8);
        foreach (var alert in ExpectedAlerts)
        {
            var forAlert = cases.Where(c => c.Scalar("alertname") == alert).ToList();
            Assert.Contains(forAlert, c => ExpectedAlertCount(c) > 0);
            Assert.Contains(forAlert, c => ExpectedAlertCount(c) == 0);
        }
    }

    private static int ExpectedAlertCount(YamlMappingNode testCase) =>
        testCase.Children.TryGetValue(new YamlScalarNode("exp_alerts"), out var alerts) && alerts is YamlSequenceNode sequence
            ? sequence.Children.Count
            : 0;

    // Metric names, not labels such as cpe_model / cpe_service_plan.
    [GeneratedRegex(@"\bcpe_(?:provision|verify|device)_[a-z_]+")]
    private static partial Regex MetricName();
}

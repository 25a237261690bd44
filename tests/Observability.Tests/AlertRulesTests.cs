using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Provisioning.Observability.Tests;

/// <summary>
/// Checks what promtool cannot: that the alerts read metrics the orchestrator actually emits (as the
/// collector's Prometheus exporter names them) and that each alert has unit tests both ways.
/// promtool itself runs in scripts/check-alerts.sh.
/// </summary>
public sealed partial class AlertRulesTests
{
    // OpenTelemetry instrument (name, unit, kind) as the orchestrator defines them.
    private static readonly (string Name, string Unit, string Kind)[] Instruments =
    [
        ("cpe.provision.duration", "ms", "histogram"),
        ("cpe.provision.count", "{workflow}", "counter"),
        ("cpe.provision.step_duration", "ms", "histogram"),
        ("cpe.provision.active_sessions", "", "updowncounter"),
        ("cpe.verify.mismatches", "{parameter}", "counter"),
    ];

    private static readonly string[] ExpectedAlerts =
    [
        "CpeProvisioningFailureRateHigh",
        "CpeProvisioningSlow",
        "CpeVerificationMismatches",
        "CpeActiveSessionsAboveCapacity",
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
        var emitted = Instruments.SelectMany(PrometheusSeries).ToHashSet();
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
    [GeneratedRegex(@"\bcpe_(?:provision|verify)_[a-z_]+")]
    private static partial Regex MetricName();
}

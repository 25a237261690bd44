namespace Provisioning.Observability.Tests;

/// <summary>
/// Runs the filter processor's OTTL span conditions against sample spans: a span is dropped when any
/// condition matches (the filter processor's semantics).
/// </summary>
public sealed class DropPeriodicInformsFilterTests
{
    private const string FilterName = "filter/drop_periodic_informs";
    private readonly CollectorConfig _config = CollectorConfig.Load();

    private IReadOnlyList<string> SpanConditions() =>
        _config.Processor(FilterName).Mapping("traces").ScalarList("span");

    private bool Dropped(SampleSpan span) => SpanConditions().Any(condition => OttlSpanCondition.Matches(condition, span));

    private static SampleSpan Inform(string eventCodes, string status = "STATUS_CODE_UNSET") =>
        new("cpe.inform", new Dictionary<string, string> { ["cpe.event_codes"] = eventCodes }, status);

    [Fact]
    public void Filter_has_span_conditions_and_ignores_evaluation_errors()
    {
        Assert.NotEmpty(SpanConditions());
        // A condition that errors on one span must not drop the whole batch.
        Assert.Equal("ignore", _config.Processor(FilterName).Scalar("error_mode"));
    }

    [Fact]
    public void Periodic_only_inform_is_dropped()
    {
        Assert.True(Dropped(Inform("2 PERIODIC")));
        Assert.True(Dropped(Inform("2 PERIODIC", "STATUS_CODE_OK")));
    }

    [Theory]
    [InlineData("1 BOOT,2 PERIODIC")]
    [InlineData("2 PERIODIC,1 BOOT")]
    [InlineData("0 BOOTSTRAP")]
    [InlineData("0 BOOTSTRAP,1 BOOT")]
    [InlineData("4 VALUE CHANGE,2 PERIODIC")]
    [InlineData("6 CONNECTION REQUEST")]
    [InlineData("")]
    public void Inform_with_any_other_event_code_is_kept(string eventCodes)
    {
        Assert.False(Dropped(Inform(eventCodes)));
    }

    [Fact]
    public void Failed_periodic_inform_is_kept()
    {
        Assert.False(Dropped(Inform("2 PERIODIC", "STATUS_CODE_ERROR")));
    }

    [Fact]
    public void Other_spans_are_kept_even_with_periodic_event_codes()
    {
        var workflowStep = new SampleSpan("cpe.provision.push_config",
            new Dictionary<string, string> { ["cpe.event_codes"] = "2 PERIODIC" });
        var informWithoutCodes = new SampleSpan("cpe.inform", new Dictionary<string, string>());
        Assert.False(Dropped(workflowStep));
        Assert.False(Dropped(informWithoutCodes));
    }

    [Fact]
    public void Evaluator_rejects_conditions_it_does_not_understand()
    {
        // Guards the guard: a condition rewritten with functions must fail loudly here, not pass silently.
        Assert.Throws<NotSupportedException>(() =>
            OttlSpanCondition.Matches("IsMatch(attributes[\"cpe.event_codes\"], \"PERIODIC\")", Inform("2 PERIODIC")));
    }
}

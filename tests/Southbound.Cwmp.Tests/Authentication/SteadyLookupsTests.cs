using Microsoft.Extensions.Time.Testing;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Authentication;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

/// <summary>Steady LookupDevice answers kept while the orchestrator's device changes are watched, on a fake clock.</summary>
public sealed class SteadyLookupsTests
{
    private readonly FakeTimeProvider _time = new();
    private static readonly LookupDeviceResponse Steady = new() { Registered = true, Steady = true, CwmpUsername = "cpe" };

    private SteadyLookups Watched()
    {
        var lookups = new SteadyLookups(TimeSpan.FromHours(1), _time);
        lookups.Complete();
        return lookups;
    }

    private static void Ask(SteadyLookups lookups, string serial, LookupDeviceResponse answer) => lookups.Keep(serial, lookups.Reserve(serial), answer);

    [Fact]
    public void A_steady_answer_is_kept_for_the_duration_until_the_device_changes()
    {
        var lookups = Watched();
        Ask(lookups, "SN1", Steady);
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Same(Steady, lookups.Find("SN1"));
        lookups.Changed("SN1");
        Assert.Null(lookups.Find("SN1"));

        Ask(lookups, "SN2", Steady);
        _time.Advance(TimeSpan.FromMinutes(61));
        Assert.Null(lookups.Find("SN2"));
    }

    [Fact]
    public void A_change_heard_while_the_answer_was_on_its_way_means_it_is_not_kept()
    {
        var lookups = Watched();
        var reservation = lookups.Reserve("SN1");
        lookups.Changed("SN1");
        lookups.Keep("SN1", reservation, Steady);
        Assert.Null(lookups.Find("SN1"));
    }

    [Fact]
    public void Shortly_after_a_change_no_answer_is_kept_as_another_instance_may_not_have_heard_it()
    {
        var lookups = Watched();
        lookups.Changed("SN1");
        Ask(lookups, "SN1", Steady);
        Assert.Null(lookups.Find("SN1"));
        _time.Advance(SteadyLookups.ChangeSettling + TimeSpan.FromMilliseconds(1));
        Ask(lookups, "SN1", Steady);
        Assert.Same(Steady, lookups.Find("SN1"));
    }

    [Fact]
    public void Nothing_is_kept_while_the_watch_is_not_complete_and_everything_goes_when_it_lapses()
    {
        var lookups = new SteadyLookups(TimeSpan.FromHours(1), _time);
        Ask(lookups, "SN1", Steady);
        Assert.Null(lookups.Find("SN1"));

        lookups.Complete();
        Ask(lookups, "SN1", Steady);
        Assert.NotNull(lookups.Find("SN1"));
        lookups.Incomplete();
        Assert.Null(lookups.Find("SN1"));
        lookups.Complete();
        Assert.Null(lookups.Find("SN1"));
    }

    [Fact]
    public void An_answer_that_may_change_with_time_is_not_kept()
    {
        var lookups = Watched();
        Ask(lookups, "SN1", new LookupDeviceResponse { Registered = true, PreviousCwmpUsername = "old" });
        Assert.Null(lookups.Find("SN1"));
        Assert.Equal(0, lookups.Count);
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Provisioning.Southbound.Cwmp.Tests.Settings;

/// <summary>One options convention: the ACS's settings are bound by the standard binder and a bad one fails the start naming its key.</summary>
public sealed class AcsSettingsTests
{
    private static void Build(string key, string value) =>
        CwmpAdapterApplication.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }));

    [Theory]
    [InlineData("Cwmp:HoldTimeout", "10")]            // a bare number is ten days, not ten seconds
    [InlineData("Cwmp:SessionTimeout", "00:00:00")]
    [InlineData("Cwmp:Auth:NonceLifetime", "30.00:00:00")]
    [InlineData("Cwmp:MaxSessions", "-1")]
    public void An_out_of_range_setting_fails_the_start_naming_its_key(string key, string value)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Build(key, value));
        Assert.Contains(key + ":", failure.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_duration_fails_the_start_naming_its_key()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Build("Cwmp:KeepAliveTimeout", "soon"));
        Assert.Contains("Cwmp:KeepAliveTimeout", failure.Message);
    }

    [Fact]
    public void A_duration_in_the_one_form_is_taken()
    {
        using var app = CwmpAdapterApplication.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cwmp:HoldTimeout"] = "00:00:12",
            ["Cwmp:Auth:CacheDuration"] = "00:00:00",
        }));
        var options = app.Services.GetRequiredService<CwmpOptions>();
        Assert.Equal(TimeSpan.FromSeconds(12), options.HoldTimeout);
        Assert.Equal(TimeSpan.Zero, options.Auth.CacheDuration);
    }
}

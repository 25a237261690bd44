using System.CommandLine;
using Provisioning.Simulators.Usp.Fleet;

namespace Provisioning.Southbound.Usp.Tests.Simulator;

/// <summary>The agent fleet's command line: --help helps (it used to start 100 agents), a bad value is a usage error.</summary>
public sealed class FleetCommandTests
{
    [Fact]
    public async Task Help_prints_the_options_and_starts_no_agent()
    {
        var output = new StringWriter();
        var exit = await FleetCommand.Create().Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains("--count", output.ToString());
        Assert.DoesNotContain("started", output.ToString());
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--url", "not-a-url")]
    [InlineData("--seconds", "-1")]
    public void A_bad_value_is_a_usage_error_naming_the_option(string option, string value)
    {
        var parse = FleetCommand.Create().Parse([option, value]);
        Assert.NotEmpty(parse.Errors);
    }
}

using System.CommandLine;
using Provisioning.Simulators.Cwmp;

namespace Provisioning.Southbound.Cwmp.Tests.Simulator;

/// <summary>The CPE fleet's command line: --help helps, the ACS URL is required and checked.</summary>
public sealed class FleetCommandTests
{
    [Fact]
    public async Task Help_prints_the_options()
    {
        var output = new StringWriter();
        var exit = await FleetCommand.Create().Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains("--retry-wait", output.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("--acs nope")]
    [InlineData("--acs http://127.0.0.1:7547/ --devices 0")]
    [InlineData("--acs http://127.0.0.1:7547/ --auth ntlm")]
    public void A_missing_or_bad_value_is_a_usage_error(string commandLine) =>
        Assert.NotEmpty(FleetCommand.Create().Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Errors);
}

using Microsoft.Extensions.Configuration;
using Provisioning.Launcher.Hosting;

namespace Provisioning.Orchestrator.Tests.Hosting;

/// <summary>The one-process deployment's gRPC addresses, derived from the listeners configured beside them.</summary>
public sealed class InProcessWiringTests
{
    [Theory]
    [InlineData("http://0.0.0.0:50071", "http://127.0.0.1:50071")]
    [InlineData("https://[::]:50071/", "https://[::1]:50071")]
    [InlineData("http://*:50071", "http://127.0.0.1:50071")]
    [InlineData("http://+:50071", "http://127.0.0.1:50071")]
    [InlineData("http://10.0.0.5:50071", "http://10.0.0.5:50071")]
    [InlineData("http://127.0.0.1:50071", "http://127.0.0.1:50071")]
    public void A_listen_url_is_dialled_on_loopback_when_it_listens_everywhere(string listen, string dialled) =>
        Assert.Equal(dialled, InProcessWiring.Dialable(listen));

    [Fact]
    public void Each_side_dials_the_others_listener_and_an_explicit_address_wins()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:GrpcUrl"] = "http://0.0.0.0:6001",
            ["Cwmp:GrpcUrl"] = "http://127.0.0.1:6002",
            ["Orchestrator:Adapters:Usp"] = "http://usp.internal:7000",
        }).Build();

        var derived = InProcessWiring.Derive(configuration).ToDictionary(kv => kv.Key, kv => kv.Value);

        Assert.Equal("http://127.0.0.1:6001", derived["Cwmp:OrchestratorUrl"]);
        Assert.Equal("http://127.0.0.1:6001", derived["Usp:OrchestratorUrl"]);
        Assert.Equal("http://127.0.0.1:6002", derived["Orchestrator:Adapters:Cwmp"]);
        Assert.False(derived.ContainsKey("Orchestrator:Adapters:Usp"));
    }
}

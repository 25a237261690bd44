using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Authentication;

/// <summary>TR-069 §3.4.4: Basic only where TLS protects the password, unless an operator says otherwise.</summary>
public sealed class BasicTransportTests
{
    private static readonly string BasicBootstrap = RawCpe.Basic("bootstrap", "bootstrap");

    [Fact]
    public async Task Basic_over_plain_http_is_refused_and_not_offered_by_default()
    {
        await using var h = await AcsHarness.StartAsync();

        var answer = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-BASIC-HTTP"), authorization: BasicBootstrap);

        Assert.Equal(401, answer.Status);
        Assert.All(answer.Challenges, c => Assert.StartsWith("Digest ", c));
        Assert.Empty(h.Orchestrator.Reports);
    }

    [Fact]
    public async Task Basic_over_plain_http_is_accepted_and_offered_when_the_setting_allows_it()
    {
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });

        var challenge = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-BASIC-OK"));
        var answer = await RawCpe.PostAsync(h.AcsUrl, RawCpe.Inform("SN-BASIC-OK"), authorization: BasicBootstrap);

        Assert.Contains(challenge.Challenges, c => c.StartsWith("Basic ", StringComparison.Ordinal));
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Basic_over_tls_is_accepted_and_offered()
    {
        using var certificate = new SelfSignedCertificate();
        await using var h = await AcsHarness.StartAsync(tls: certificate);
        using var http = certificate.Client();

        using var challenge = await http.PostAsync(h.AcsUrl, new StringContent(RawCpe.Inform("SN-BASIC-TLS")));
        using var request = new HttpRequestMessage(HttpMethod.Post, h.AcsUrl) { Content = new StringContent(RawCpe.Inform("SN-BASIC-TLS")) };
        request.Headers.TryAddWithoutValidation("Authorization", BasicBootstrap);
        using var answer = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Contains(challenge.Headers.WwwAuthenticate, c => c.Scheme == "Basic");
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("InformResponse", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Basic_is_refused_over_tls_too_when_not_allowed_at_all()
    {
        using var certificate = new SelfSignedCertificate();
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasic"] = "false" }, certificate);
        using var http = certificate.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, h.AcsUrl) { Content = new StringContent(RawCpe.Inform("SN-NO-BASIC")) };
        request.Headers.TryAddWithoutValidation("Authorization", BasicBootstrap);

        using var answer = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.DoesNotContain(answer.Headers.WwwAuthenticate, c => c.Scheme == "Basic");
    }
}

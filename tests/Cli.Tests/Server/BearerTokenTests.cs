using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.Server;

/// <summary>
/// The orchestrator does not check tokens yet, so a listener stands in for an authenticating gateway:
/// it records the authorization header and refuses calls without the expected token.
/// </summary>
public sealed class BearerTokenTests : ProvisioningService.ProvisioningServiceBase, IAsyncLifetime
{
    private const string Token = "t0ken-for-tests";
    private readonly ConcurrentQueue<string> _headers = new();
    private WebApplication _host = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _host = builder.Build();
        _host.MapGrpcService<BearerTokenTests>();
        await _host.StartAsync();
        _address = $"http://localhost:{port}";
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public override Task<FailureReport> GetFailureReport(GetFailureReportRequest request, ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization") ?? "";
        _headers.Enqueue(header);
        if (header != $"Bearer {Token}") throw new RpcException(new Status(StatusCode.Unauthenticated, "a valid bearer token is required"));
        return Task.FromResult(new FailureReport());
    }

    [Fact]
    public async Task Token_flag_is_sent_as_a_bearer_authorization_header()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--server", _address, "--token", Token]);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"Bearer {Token}", Assert.Single(_headers));
    }

    [Fact]
    public async Task Token_comes_from_the_environment()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--server", _address], new Dictionary<string, string?> { ["CPE_TOKEN"] = Token });
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"Bearer {Token}", Assert.Single(_headers));
    }

    [Fact]
    public async Task A_refused_token_is_one_line_and_exit_code_4()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--server", _address, "--token", "wrong"]);
        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Equal($"cpe: the server at {_address} rejected the credentials: a valid bearer token is required (set --token or CPE_TOKEN)",
            Assert.Single(run.ErrorLines));
        Assert.DoesNotContain("wrong", run.Error);
    }

    [Fact]
    public async Task Help_never_prints_the_token_from_the_environment()
    {
        var run = await CliRun.ExecuteAsync(["failures", "--help"], new Dictionary<string, string?> { ["CPE_TOKEN"] = Token });
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--token", run.Out);
        Assert.DoesNotContain(Token, run.Out + run.Console + run.Error);
    }
}

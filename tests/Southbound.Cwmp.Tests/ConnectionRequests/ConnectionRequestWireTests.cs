using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Sessions;
using Provisioning.Southbound.Cwmp.Tests.Support;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.ConnectionRequests;

/// <summary>
/// The Connection Request on the wire (issue 15.5, 15.6, 15.8, 15.12): what the ACS sends a device, how tolerantly it
/// reads the answer, what a failure says, and what is left behind when a wait gives up.
/// </summary>
public sealed class ConnectionRequestWireTests
{
    /// <summary>Connection Request outcomes are Information lines; the harness logs warnings only.</summary>
    private static readonly Dictionary<string, string?> OutcomesLogged = new()
    {
        ["Logging:LogLevel:Provisioning.Southbound.Cwmp.ConnectionRequests"] = "Information",
    };

    private static Task<AuthenticateResponse> AuthenticateAsync(AcsHarness h, string serial, double seconds, Metadata? headers = null) =>
        h.Client.AuthenticateAsync(new AuthenticateRequest { Device = AcsHarness.Ref(serial) }, headers, deadline: AcsHarness.Deadline(seconds)).ResponseAsync;

    [Fact]
    public async Task A_connection_request_carries_no_trace_context_to_the_device()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var device = new FakeConnectionRequestServer { Answer = (_, _) => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n" };
        h.Orchestrator.Inventory["SN-TRACE"] = new InventoryEntry("SN-TRACE", ConnectionRequestUrl: device.Url);

        // The orchestrator's step arrives with its trace context, as in every deployment.
        var traced = new Metadata { { "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }, { "tracestate", "vendor=internal" } };
        try
        {
            await AuthenticateAsync(h, "SN-TRACE", 2, traced);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The typed "unreachable" answer may lose the race with the deadline itself; the requests are what matter here.
        }

        Assert.NotEmpty(device.Requests);
        foreach (var request in device.Requests)
        {
            Assert.DoesNotContain("traceparent", request, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("tracestate", request, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("0af7651916cd43dd8448eb211c80319c", request);
        }
    }

    public static TheoryData<string, bool> BrokenAnswers => new()
    {
        { "HTTP/1.1 200 OK\nContent-Length: 0\n\n", false },                                                   // bare LF
        { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", true },                                                  // no blank line, connection kept open
        { "HTTP/1.0 204 No Content\nServer: tiny\n", false },                                                   // no blank line, closed
    };

    [Theory]
    [MemberData(nameof(BrokenAnswers))]
    public async Task A_device_whose_server_answers_sloppily_is_still_woken(string answer, bool keepOpen)
    {
        var logs = new CapturedLogs();
        await using var h = await AcsHarness.StartAsync(OutcomesLogged, configure: b => b.Logging.AddProvider(logs));
        var cpe = h.AddDevice("SN-SLOPPY");
        // It never informed this instance: the URL is the one the orchestrator recorded.
        await using var device = new FakeConnectionRequestServer { KeepOpen = keepOpen };
        device.Answer = (_, _) =>
        {
            _ = Task.Delay(1000).ContinueWith(_ => cpe.InformAsync("6 CONNECTION REQUEST")); // what the CPE does once it has answered
            return answer;
        };
        h.Orchestrator.Inventory["SN-SLOPPY"] = new InventoryEntry("SN-SLOPPY", ConnectionRequestUrl: device.Url);

        var auth = await AuthenticateAsync(h, "SN-SLOPPY", 8);

        Assert.Null(auth.Failure);
        Assert.Equal(ReachedVia.ConnectionRequest, auth.ReachedVia);
        Assert.Single(device.Requests);
        // The answer itself was understood, not merely followed by the device's session.
        Assert.Contains(logs.Lines, l => l.Contains("Connection Request to SN-SLOPPY", StringComparison.Ordinal) && l.Contains(": accepted (attempt 1)", StringComparison.Ordinal));
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-SLOPPY") });
    }

    [Fact]
    public async Task A_digest_challenge_with_bare_lf_and_a_folded_header_is_answered()
    {
        var logs = new CapturedLogs();
        await using var h = await AcsHarness.StartAsync(OutcomesLogged, configure: b => b.Logging.AddProvider(logs));
        var cpe = h.AddDevice("SN-FOLDED");
        // It never informed this instance: the URL is the one the orchestrator recorded.
        await using var device = new FakeConnectionRequestServer();
        device.Answer = (n, request) =>
        {
            if (!request.Contains("Authorization: Digest", StringComparison.Ordinal))
                return "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Digest realm=\"cpe\",\n\tnonce=\"n0nce\", qop=\"auth\"\nContent-Length: 0\n";
            _ = Task.Delay(1000).ContinueWith(_ => cpe.InformAsync("6 CONNECTION REQUEST"));
            return "HTTP/1.1 200 OK\n";
        };
        h.Orchestrator.Inventory["SN-FOLDED"] = new InventoryEntry("SN-FOLDED", ConnectionRequestUrl: device.Url);

        var auth = await AuthenticateAsync(h, "SN-FOLDED", 8);

        Assert.Null(auth.Failure);
        var authorized = device.Requests.Last();
        Assert.Contains("nonce=\"n0nce\"", authorized);
        Assert.Contains("realm=\"cpe\"", authorized);
        Assert.Contains(logs.Lines, l => l.Contains("Connection Request to SN-FOLDED", StringComparison.Ordinal) && l.Contains(": accepted (attempt 1)", StringComparison.Ordinal));
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FOLDED") });
    }

    [Fact]
    public async Task A_request_the_device_never_answers_is_reported_as_delivered_without_an_answer()
    {
        await using var h = await AcsHarness.StartAsync();
        await using var device = new FakeConnectionRequestServer { Answer = (_, _) => null };
        h.Orchestrator.Inventory["SN-SILENT"] = new InventoryEntry("SN-SILENT", ConnectionRequestUrl: device.Url);

        var auth = await AuthenticateAsync(h, "SN-SILENT", 7);

        Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
        Assert.Contains("timed out", auth.Failure.FaultString);
        Assert.Contains("delivered, no answer", auth.Failure.FaultString);
    }

    [Fact]
    public async Task A_request_to_a_closed_port_is_reported_as_not_delivered()
    {
        await using var h = await AcsHarness.StartAsync();
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        h.Orchestrator.Inventory["SN-CLOSED"] = new InventoryEntry("SN-CLOSED", ConnectionRequestUrl: $"http://127.0.0.1:{port}/cr");

        var auth = await AuthenticateAsync(h, "SN-CLOSED", 2);

        Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
        Assert.Contains("not delivered: connection refused", auth.Failure.FaultString);
    }

    [Fact]
    public async Task A_wait_that_gave_up_leaves_no_waiter_and_the_devices_next_inform_is_not_held_for_it()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-STALE"] = new InventoryEntry("SN-STALE");
        var cpe = h.AddDevice("SN-STALE", new CpeBehavior { ConnectionRequests = ConnectionRequestMode.Ignore });
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        try
        {
            var auth = await AuthenticateAsync(h, "SN-STALE", 1.5);
            Assert.Equal(FailureKind.Unreachable, auth.Failure.Kind);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
        }
        await Task.Delay(200); // the adapter's side of the call has ended too
        Assert.Equal(0, h.Adapter.Services.GetRequiredService<CpeSessionRegistry>().WaiterCount);

        // Its own periodic Inform, nothing to do for it: the session ends at the empty POST, not after the hold timeout (5 s here).
        var started = Stopwatch.StartNew();
        Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"the periodic session took {started.Elapsed}: it was held for a waiter that had gone");
    }

    [Fact]
    public async Task A_device_that_comes_by_its_periodic_inform_after_every_connection_request_failed_was_not_reached_by_one()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-401"] = new InventoryEntry("SN-401", ConnectionRequestPassword: "not-the-devices");
        var cpe = h.AddDevice("SN-401");
        Assert.True((await cpe.BootstrapAsync()).Succeeded);

        var auth = AuthenticateAsync(h, "SN-401", 15);
        await Task.Delay(1500); // several Connection Requests refused with 401 by now
        var periodic = cpe.InformAsync("2 PERIODIC");
        var answer = await auth;

        Assert.Null(answer.Failure);
        Assert.Equal(ReachedVia.LiveSession, answer.ReachedVia);
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-401") });
        Assert.True((await periodic).Succeeded);
    }
}

using System.Collections.Concurrent;
using Grpc.Core;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Testing;

/// <summary>
/// A DeviceContacts server standing in for the orchestrator in adapter-level tests: records every contact report and
/// refusal. Lookups answer from an inventory, which is the protocol's own (CWMP digest credentials, USP agent
/// secrets): each adapter test project derives its FakeOrchestrator from this with it.
/// </summary>
public abstract class FakeDeviceContacts : DeviceContacts.DeviceContactsBase, IAsyncDisposable
{
    private TestGrpcServer? _host;

    public ConcurrentQueue<DeviceContactReport> Reports { get; } = new();
    /// <summary>Every ReportRefusedContact call, in order.</summary>
    public ConcurrentQueue<RefusedContactReport> Refusals { get; } = new();
    /// <summary>The W3C traceparent each contact report arrived with, by serial number.</summary>
    public ConcurrentDictionary<string, string> ReportTraceParents { get; } = new();
    public Func<DeviceContactReport, DeviceContactDecision> Decide { get; set; } = _ => new DeviceContactDecision();
    /// <summary>How long ReportRefusedContact takes to answer (a slow orchestrator must not slow the device's refusal).</summary>
    public TimeSpan RefusalDelay { get; set; }
    /// <summary>Where it listens once started by <see cref="StartAsync{TFake}"/> (a test host may map it itself instead).</summary>
    public string Url => _host?.Address ?? "";

    protected static async Task<TFake> StartAsync<TFake>(TFake fake) where TFake : FakeDeviceContacts
    {
        fake._host = await TestGrpcServer.StartAsync(fake);
        return fake;
    }

    public override Task<DeviceContactDecision> ReportDeviceContact(DeviceContactReport request, ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue("traceparent") is { } traceParent) ReportTraceParents[request.Identity.Device.SerialNumber] = traceParent;
        Reports.Enqueue(request);
        return Task.FromResult(Decide(request));
    }

    public override async Task<RefusedContactAck> ReportRefusedContact(RefusedContactReport request, ServerCallContext context)
    {
        if (RefusalDelay > TimeSpan.Zero) await Task.Delay(RefusalDelay, context.CancellationToken);
        Refusals.Enqueue(request);
        return new RefusedContactAck { Recorded = true };
    }

    public Task<RefusedContactReport> WaitForRefusalAsync(Func<RefusedContactReport, bool> match, TimeSpan? timeout = null) =>
        Eventually.FoundAsync(() => Refusals.FirstOrDefault(match),
            () => $"no matching refused contact; got [{string.Join(", ", Refusals.Select(r => $"{r.Device?.SerialNumber}/{r.Username}/{r.Reason}"))}]", timeout);

    public Task<DeviceContactReport> WaitForReportAsync(Func<DeviceContactReport, bool> match, TimeSpan? timeout = null) =>
        Eventually.FoundAsync(() => Reports.FirstOrDefault(match), () => "no matching contact report", timeout);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

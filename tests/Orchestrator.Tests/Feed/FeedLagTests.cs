using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Feed;

[Collection(nameof(OrchestratorCollection))]
public sealed class FeedLagTests(OrchestratorFixture fixture)
{
    private static readonly string[] Stages = ["cpe.feed.commit_to_notify", "cpe.feed.notify_to_read", "cpe.feed.read_to_send", "cpe.feed.commit_to_send"];

    [Fact]
    public async Task An_event_delivered_to_a_live_follower_is_recorded_in_every_stage_histogram()
    {
        var recorded = new ConcurrentDictionary<string, ConcurrentBag<double>>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OrchestratorTelemetry.Name && Stages.Contains(instrument.Name)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => recorded.GetOrAdd(instrument.Name, _ => []).Add(value));
        listener.Start();

        var start = (await fixture.System.EventsAsync()).LastOrDefault()?.GlobalPosition ?? 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = fixture.System.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { AfterPosition = start, Follow = true }, cancellationToken: cts.Token);
        var serial = await fixture.RegisterAsync(new DeviceScript());
        await fixture.ProvisionAsync(serial);
        var delivered = 0;
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            if (call.ResponseStream.Current.SerialNumber != serial) continue;
            if (++delivered == 6) break;
        }

        // The last event is recorded once the server's write of it has completed, a moment after the follower has it.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && Stages.Any(s => !recorded.TryGetValue(s, out var values) || values.Count < delivered)) await Task.Delay(20);
        Assert.All(Stages, stage =>
        {
            Assert.True(recorded.TryGetValue(stage, out var values) && values.Count >= delivered, $"{stage}: {recorded.GetValueOrDefault(stage)?.Count ?? 0} of {delivered}");
            Assert.All(values!, ms => Assert.InRange(ms, 0, 20_000));
        });
    }
}

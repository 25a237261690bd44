using Grpc.Core;
using Npgsql;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Feed;

[Collection(nameof(OrchestratorCollection))]
public sealed class EventFeedTests(OrchestratorFixture fixture)
{
    [Fact]
    public async Task Resuming_from_the_last_position_seen_gives_no_gap_and_no_duplicate()
    {
        for (var i = 0; i < 3; i++)
        {
            var serial = await fixture.RegisterAsync(new DeviceScript());
            await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        }
        var all = await fixture.System.EventsAsync();
        Assert.True(all.Count >= 18);

        // A follower that disconnects after a few events and resumes from the last one it received.
        var firstPart = new List<ProvisioningEvent>();
        using (var cts = new CancellationTokenSource())
        using (var call = fixture.System.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true }, cancellationToken: cts.Token))
        {
            while (firstPart.Count < 7 && await call.ResponseStream.MoveNext(CancellationToken.None)) firstPart.Add(call.ResponseStream.Current);
            cts.Cancel();
        }
        var rest = new List<ProvisioningEvent>();
        using (var call = fixture.System.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { AfterPosition = firstPart[^1].GlobalPosition }))
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) rest.Add(call.ResponseStream.Current);
        }

        var stitched = firstPart.Concat(rest).Select(e => e.GlobalPosition).ToList();
        Assert.Equal(stitched.Distinct().Count(), stitched.Count);
        Assert.Equal(all.Select(e => e.GlobalPosition).Where(p => p <= stitched[^1]), stitched);
    }

    [Fact]
    public async Task Filtering_by_serial_number_gives_only_that_devices_events()
    {
        var serial = await fixture.RegisterAsync(new DeviceScript());
        var other = await fixture.RegisterAsync(new DeviceScript());
        await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(other)).Workflow.WorkflowId);

        using var call = fixture.System.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { SerialNumber = serial });
        var events = new List<ProvisioningEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) events.Add(call.ResponseStream.Current);

        Assert.Equal(6, events.Count);
        Assert.All(events, e => Assert.Equal(serial, e.SerialNumber));
    }

    [Fact]
    public async Task A_live_follower_waits_at_a_sequence_gap_while_its_transaction_is_open_and_steps_over_it_after_rollback()
    {
        var start = (await fixture.System.EventsAsync()).LastOrDefault()?.GlobalPosition ?? 0;
        var delivered = new List<ProvisioningEvent>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var follower = Task.Run(async () =>
        {
            using var call = fixture.System.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { AfterPosition = start, Follow = true }, cancellationToken: cts.Token);
            try
            {
                while (await call.ResponseStream.MoveNext(cts.Token)) lock (delivered) delivered.Add(call.ResponseStream.Current);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled) { }
        });

        // An open transaction holds the next sequence number, as a slow append would ...
        await using var connection = new NpgsqlConnection(fixture.System.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        long reserved;
        await using (var reserve = new NpgsqlCommand("select nextval('provisioning.mt_events_sequence')", connection, transaction))
        {
            reserved = (long)(await reserve.ExecuteScalarAsync())!;
        }
        // ... and holds the write lock an INSERT of its events takes.
        await using (var write = new NpgsqlCommand("lock table provisioning.mt_events in row exclusive mode", connection, transaction))
        {
            await write.ExecuteNonQueryAsync();
        }

        var serial = await fixture.RegisterAsync(new DeviceScript());
        var workflow = await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        await Task.Delay(500);
        lock (delivered) Assert.True(delivered.Count == 0, $"start {start}, reserved {reserved}, delivered {string.Join(",", delivered.Select(e => e.GlobalPosition))}"); // nothing beyond the gap while it may still fill

        await transaction.RollbackAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            lock (delivered) if (delivered.Count(e => e.WorkflowId == workflow.WorkflowId) == 6) break;
            await Task.Delay(20);
        }
        cts.Cancel();
        await follower;

        Assert.Equal(6, delivered.Count(e => e.WorkflowId == workflow.WorkflowId));
        var positions = delivered.Select(e => e.GlobalPosition).ToList();
        Assert.Equal(positions.OrderBy(p => p), positions);
        Assert.Equal(positions.Distinct().Count(), positions.Count);
    }

    [Fact]
    public async Task A_live_follower_sees_new_workflows_as_they_happen()
    {
        var start = (await fixture.System.EventsAsync()).LastOrDefault()?.GlobalPosition ?? 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = fixture.System.Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest { AfterPosition = start, Follow = true }, cancellationToken: cts.Token);
        var serial = await fixture.RegisterAsync(new DeviceScript());
        await fixture.ProvisionAsync(serial);

        var types = new List<string>();
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            if (call.ResponseStream.Current.SerialNumber != serial) continue;
            types.Add(call.ResponseStream.Current.EventType);
            if (types[^1] == "provisioning_succeeded") break;
        }
        Assert.Equal("provisioning_requested", types[0]);
        Assert.Equal(6, types.Count);
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Tests.Devices;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.ScaleOut;

/// <summary>
/// Contacts of known devices are answered from memory: nothing is written for an Inform that brings nothing new (its
/// seen-at follows in a batch), and a change on one instance reaches the other's next calls.
/// </summary>
public sealed class DeviceContactCacheTests : IAsyncLifetime
{
    /// <summary>How long a change on one instance may take to reach the other (a NOTIFY; milliseconds in practice).</summary>
    private static readonly TimeSpan CrossInstanceBound = TimeSpan.FromSeconds(2);

    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _a = null!;
    private SystemUnderTest _b = null!;
    private DeviceDoor _doorA = null!;
    private DeviceDoor _doorB = null!;

    public async Task InitializeAsync()
    {
        _adapter = await ScriptedAdapter.StartAsync();
        var a = DeviceDoor.Settings(_adapter, ("Coordination:InstanceId", "orchestrator-a"), ("Orchestrator:Adapters:Instances:0", _adapter.Address));
        _a = await SystemUnderTest.StartAsync(a);
        var b = DeviceDoor.Settings(_adapter, ("Coordination:InstanceId", "orchestrator-b"), ("Orchestrator:Adapters:Instances:0", _adapter.Address),
            ("ConnectionStrings:Marten", _a.ConnectionString));
        _b = await SystemUnderTest.StartAsync(b);
        _doorA = new DeviceDoor(_a);
        _doorB = new DeviceDoor(_b);
    }

    public async Task DisposeAsync()
    {
        _doorA.Dispose();
        _doorB.Dispose();
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _adapter.DisposeAsync();
    }

    [Fact]
    public async Task A_periodic_inform_with_nothing_new_writes_nothing_and_its_seen_at_reaches_the_store_in_one_batch()
    {
        var helper = OrchestratorFixture.Over(_adapter, _a);
        var serials = new[] { await DeviceDoor.RegisterCwmpAsync(helper), await DeviceDoor.RegisterCwmpAsync(helper) };
        foreach (var serial in serials) await InformAsync(_doorA, serial, "http://192.0.2.7:7547/cr");
        // Seen long enough ago for the next Inform to move its seen-at (a SeenAt-only update: it notifies nobody).
        await ExecuteAsync("UPDATE provisioning.mt_doc_deviceroute SET data = jsonb_set(data, '{SeenAt}', to_jsonb(now() - interval '5 minutes')) WHERE id = ANY(@ids)", serials);
        foreach (var serial in serials)
        {
            _a.Services.GetRequiredService<DeviceContactCache>().Evict(serial);
            await CachedAsync(_a, _doorA, serial);
        }
        var before = await RowStampsAsync(serials);

        // At once, so both seen-ats fall in one batch interval.
        await Task.WhenAll(serials.Select(serial => InformAsync(_doorA, serial, "http://192.0.2.7:7547/cr")));

        // No transaction of the contact touched the record, the credential or the route (Marten gives every document
        // it writes a new mt_version; the seen-at batch leaves it alone).
        var after = await RowStampsAsync(serials);
        foreach (var serial in serials)
        {
            Assert.Equal(before[serial].Record, after[serial].Record);
            Assert.Equal(before[serial].Credential, after[serial].Credential);
            Assert.Equal(before[serial].RouteVersion, after[serial].RouteVersion);
        }

        // Within the batch interval both seen-ats are written, by one statement (one transaction: one xmin).
        var deadline = Stopwatch.StartNew();
        Dictionary<string, RowStamps> written;
        do
        {
            await Task.Delay(100);
            written = await RowStampsAsync(serials);
        }
        while (written.Values.Any(w => DateTimeOffset.UtcNow - w.SeenAt > TimeSpan.FromMinutes(1)) && deadline.Elapsed < RouteSeenAtBatch.Interval * 2 + TimeSpan.FromSeconds(1));
        Assert.All(written.Values, w => Assert.True(DateTimeOffset.UtcNow - w.SeenAt < TimeSpan.FromMinutes(1), $"seen at {w.SeenAt:O}"));
        Assert.Single(written.Values.Select(w => w.RouteXmin).Distinct());
        Assert.All(serials, s => Assert.Equal(before[s].RouteVersion, written[s].RouteVersion));
        Assert.All(serials, s => Assert.Equal(before[s].Record, written[s].Record));
    }

    [Fact]
    public async Task A_route_written_by_one_instance_is_used_by_the_other_at_its_next_call()
    {
        var helper = OrchestratorFixture.Over(_adapter, _a);
        var serial = await DeviceDoor.RegisterCwmpAsync(helper);
        await InformAsync(_doorB, serial, "http://192.0.2.7:7547/cr-first");
        Assert.Equal("http://192.0.2.7:7547/cr-first", (await CachedAsync(_b, _doorB, serial)).ConnectionRequestUrl);

        await InformAsync(_doorA, serial, "http://192.0.2.8:7547/cr-moved");

        var waited = Stopwatch.StartNew();
        string seen;
        while ((seen = (await _doorB.LookupAsync(serial)).ConnectionRequestUrl) != "http://192.0.2.8:7547/cr-moved" && waited.Elapsed < CrossInstanceBound)
            await Task.Delay(20);
        Assert.Equal("http://192.0.2.8:7547/cr-moved", seen);
    }

    [Fact]
    public async Task A_credential_change_is_seen_at_the_next_lookup_here_and_within_the_bound_on_the_other_instance()
    {
        var helper = OrchestratorFixture.Over(_adapter, _a);
        var serial = await DeviceDoor.RegisterCwmpAsync(helper);
        Assert.Equal(FactoryResetTests.Digest(serial, "own-password-" + serial), (await CachedAsync(_a, _doorA, serial)).CwmpPasswordHa1);
        Assert.Equal(FactoryResetTests.Digest(serial, "own-password-" + serial), (await CachedAsync(_b, _doorB, serial)).CwmpPasswordHa1);

        await _a.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = DeviceDoor.Cwmp(serial), CustomerId = "C-" + serial, ServicePlan = "gold",
            CwmpUsername = serial, CwmpPassword = "rotated-" + serial,
            ConnectionRequestUsername = "acs", ConnectionRequestPassword = "cr-password-" + serial,
        } });

        var rotated = FactoryResetTests.Digest(serial, "rotated-" + serial);
        Assert.Equal(rotated, (await _doorA.LookupAsync(serial)).CwmpPasswordHa1);
        var waited = Stopwatch.StartNew();
        string seen;
        while ((seen = (await _doorB.LookupAsync(serial)).CwmpPasswordHa1) != rotated && waited.Elapsed < CrossInstanceBound) await Task.Delay(20);
        Assert.Equal(rotated, seen);
    }

    [Fact]
    public async Task An_adapter_watching_one_instance_hears_of_a_credential_change_made_on_the_other()
    {
        var helper = OrchestratorFixture.Over(_adapter, _a);
        var serial = await DeviceDoor.RegisterCwmpAsync(helper);
        // Nothing pending about its credential: the answer may be kept as long as the watch lasts.
        Assert.True((await CachedAsync(_b, _doorB, serial)).Steady);

        using var watch = _doorB.Contacts.WatchDeviceChanges(new WatchDeviceChangesRequest());
        var stream = watch.ResponseStream;
        Assert.True(await stream.MoveNext(CancellationToken.None));
        Assert.True(stream.Current.Complete);

        await _a.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = DeviceDoor.Cwmp(serial), CustomerId = "C-" + serial, ServicePlan = "gold",
            CwmpUsername = serial, CwmpPassword = "rotated-" + serial,
            ConnectionRequestUsername = "acs", ConnectionRequestPassword = "cr-password-" + serial,
        } });

        using var timeout = new CancellationTokenSource(CrossInstanceBound + TimeSpan.FromSeconds(3));
        var heard = new List<string>();
        while (!heard.Contains(serial) && await stream.MoveNext(timeout.Token))
        {
            Assert.True(stream.Current.Complete);
            heard.AddRange(stream.Current.DeviceIds);
        }
        Assert.Contains(serial, heard);
    }

    private Task<DeviceContactDecision> InformAsync(DeviceDoor door, string serial, string connectionRequestUrl) =>
        door.Contacts.ReportDeviceContactAsync(new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = DeviceDoor.Cwmp(serial), Endpoint = connectionRequestUrl },
            Credential = ContactCredential.Device,
            EventCodes = { "2 PERIODIC" },
            AdapterAddress = _adapter.Address,
            RemoteAddress = "192.0.2.10",
        }).ResponseAsync;

    /// <summary>Looks the device up until the instance keeps it in memory (a NOTIFY of an earlier write may evict it once).</summary>
    private static async Task<LookupDeviceResponse> CachedAsync(SystemUnderTest system, DeviceDoor door, string serial)
    {
        var cache = system.Services.GetRequiredService<DeviceContactCache>();
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            var answer = await door.LookupAsync(serial);
            if (cache.Find(serial) is not null) return answer;
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the device never stayed in the cache");
        }
    }

    private sealed record RowStamps(string Record, string Credential, string RouteVersion, string RouteXmin, DateTimeOffset SeenAt);

    private async Task<Dictionary<string, RowStamps>> RowStampsAsync(IReadOnlyList<string> serials)
    {
        await using var connection = new NpgsqlConnection(_a.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT r.id, d.xmin::text, c.xmin::text, r.mt_version::text, r.xmin::text, (r.data->>'SeenAt')::timestamptz
            FROM provisioning.mt_doc_deviceroute r
            JOIN provisioning.mt_doc_devicerecord d ON d.id = r.id
            JOIN provisioning.mt_doc_devicecredential c ON c.id = r.id
            WHERE r.id = ANY(@ids)
            """, connection);
        command.Parameters.AddWithValue("ids", serials.ToArray());
        var stamps = new Dictionary<string, RowStamps>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            stamps[reader.GetString(0)] = new RowStamps(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5));
        Assert.Equal(serials.Count, stamps.Count);
        return stamps;
    }

    private async Task ExecuteAsync(string sql, IReadOnlyList<string> ids)
    {
        await using var connection = new NpgsqlConnection(_a.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await command.ExecuteNonQueryAsync();
    }
}

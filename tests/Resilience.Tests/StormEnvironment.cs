using Grpc.Core;
using Grpc.Net.Client;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Resilience.Tests;

/// <summary>
/// A database, the settings of one orchestrator process (with its in-process ACS and USP controller on fixed
/// ports, so a restarted process answers where the devices expect it), a registered fleet of simulated CPEs,
/// and the checks a crash test makes on the event store afterwards.
/// </summary>
public sealed class StormEnvironment : IAsyncDisposable
{
    public required string ConnectionString { get; init; }
    public required Dictionary<string, string> Settings { get; init; }
    public required string GrpcAddress { get; init; }
    public required Uri AcsUrl { get; init; }
    public CwmpFleet Fleet { get; private set; } = null!;
    private GrpcChannel _channel = null!;

    public ProvisioningService.ProvisioningServiceClient Provisioning { get; private set; } = null!;
    public InventoryService.InventoryServiceClient Inventory { get; private set; } = null!;

    public static async Task<StormEnvironment> CreateAsync(string name)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync(name);
        int Port() => FreePort.Next();
        var grpc = $"http://127.0.0.1:{Port()}";
        var acs = $"http://127.0.0.1:{Port()}";
        var cwmpGrpc = $"http://127.0.0.1:{Port()}";
        var uspGrpc = $"http://127.0.0.1:{Port()}";
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = connectionString,
            ["Orchestrator__GrpcUrl"] = grpc,
            ["Cwmp__AcsUrl"] = acs,
            ["Cwmp__GrpcUrl"] = cwmpGrpc,
            ["Cwmp__OrchestratorUrl"] = grpc,
            ["Cwmp__HoldTimeout"] = "00:00:10",
            ["Cwmp__IdleGrace"] = "00:00:01",
            ["Cwmp__Auth__BootstrapUsername"] = "bootstrap",
            ["Cwmp__Auth__BootstrapPassword"] = "bootstrap",
            ["Usp__WebSocketUrl"] = $"http://127.0.0.1:{Port()}",
            ["Usp__GrpcUrl"] = uspGrpc,
            ["Usp__Auth__AllowUnauthenticatedAgents"] = "true",
            ["Usp__OrchestratorUrl"] = grpc,
            ["Orchestrator__Adapters__Cwmp"] = cwmpGrpc,
            ["Orchestrator__Adapters__Usp"] = uspGrpc,
            ["Coordination__LeaseDuration"] = "00:00:03",
            ["Coordination__RenewInterval"] = "00:00:01",
            ["Coordination__ScanInterval"] = "00:00:01",
            ["Workflow__AuthenticateTimeout"] = "00:00:20",
            ["Workflow__PushConfigTimeout"] = "00:00:20",
            ["Workflow__VerifyTimeout"] = "00:00:20",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in TestChannels.Environment) settings[key] = value;
        var environment = new StormEnvironment { ConnectionString = connectionString, Settings = settings, GrpcAddress = grpc, AcsUrl = new Uri(acs + "/") };
        environment._channel = TestChannels.ForAddress(grpc);
        environment.Provisioning = new ProvisioningService.ProvisioningServiceClient(environment._channel);
        environment.Inventory = new InventoryService.InventoryServiceClient(environment._channel);
        environment.Fleet = await CwmpFleet.StartAsync();
        return environment;
    }

    /// <summary>
    /// Waits until the orchestrator answers (a restarted process takes a few seconds). When <paramref name="host"/> is
    /// given, a host that exited or never answers fails the test with the end of its own output.
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan timeout, HostProcess? host = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await Inventory.ListServicePlansAsync(new ListServicePlansRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline && !(host is { Pid: null }))
            {
                await Task.Delay(200);
            }
            catch (RpcException e) when (host is not null)
            {
                throw new InvalidOperationException($"{host.Name} did not answer within {timeout} ({(host.Pid is null ? "it exited" : e.Status.Detail)}):\n{host.Tail()}", e);
            }
        }
    }

    /// <summary>Registers <paramref name="count"/> devices (inventory and simulator) with their own credentials.</summary>
    public async Task<IReadOnlyList<SimulatedCpe>> RegisterFleetAsync(string prefix, int count)
    {
        await Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan
        {
            Name = "storm",
            DataEnabled = true,
            Vlans = new Vlans { DataVlan = 100 },
            Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = "Storm", Key = "storm-wifi-key", Enabled = true } },
        } });
        var bulk = new UpsertDevicesRequest();
        var cpes = new List<SimulatedCpe>();
        for (var i = 0; i < count; i++)
        {
            var serial = $"{prefix}{i:D5}";
            bulk.Devices.Add(new Device
            {
                Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
                ServicePlan = "storm",
                CustomerId = "C-" + serial,
                CwmpUsername = "cpe-" + serial,
                CwmpPassword = "pw-" + serial,
                ConnectionRequestUsername = "cr-" + serial,
                ConnectionRequestPassword = "crpw-" + serial,
            });
            cpes.Add(Fleet.Add(new SimulatedCpeOptions
            {
                SerialNumber = serial,
                AcsUrl = AcsUrl,
                Username = "cpe-" + serial,
                Password = "pw-" + serial,
                ConnectionRequestUsername = "cr-" + serial,
                ConnectionRequestPassword = "crpw-" + serial,
                AuthScheme = CpeAuthScheme.Digest,
                RequestTimeout = TimeSpan.FromSeconds(15),
            }, new CpeBehavior { AnswerDelay = TimeSpan.FromMilliseconds(200) })); // slow CPEs: workflows are in flight when things break
        }
        await Inventory.UpsertDevicesAsync(bulk);
        return cpes;
    }

    /// <summary>Every CPE bootstraps; like a real CPE it retries a session that failed (ACS gone, connection dropped).</summary>
    public static Task<int> BootstrapWithRetriesAsync(IReadOnlyList<SimulatedCpe> cpes, TimeSpan within, int concurrency = 40)
    {
        var deadline = DateTime.UtcNow + within;
        var gate = new SemaphoreSlim(concurrency);
        var failedAttempts = 0;
        return Task.WhenAll(cpes.Select(async cpe =>
        {
            await gate.WaitAsync();
            try
            {
                while (DateTime.UtcNow < deadline)
                {
                    var result = await cpe.BootstrapAsync();
                    if (result.Succeeded) return;
                    Interlocked.Increment(ref failedAttempts);
                    await Task.Delay(300);
                }
            }
            finally
            {
                gate.Release();
            }
        })).ContinueWith(_ => failedAttempts);
    }

    /// <summary>Waits until the orchestrator drives at least <paramref name="count"/> workflows (leases held), so a kill lands mid-flight.</summary>
    public async Task<long> WaitForWorkflowsInFlightAsync(int count, TimeSpan timeout)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var command = new Npgsql.NpgsqlCommand("select count(*) from provisioning.cpe_workflow_leases where expires_at > now()", connection);
            var held = (long)(await command.ExecuteScalarAsync())!;
            if (held >= count || DateTime.UtcNow > deadline) return held;
            await Task.Delay(50);
        }
    }

    public async Task<IReadOnlyList<Workflow>> WorkflowsAsync()
    {
        var all = new List<Workflow>();
        var token = "";
        do
        {
            var page = await Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { PageSize = 1000, PageToken = token });
            all.AddRange(page.Workflows);
            token = page.NextPageToken;
        } while (token.Length > 0);
        return all;
    }

    public async Task<IReadOnlyList<Workflow>> WaitAllTerminalAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var all = await WorkflowsAsync();
            if (all.All(w => w.State != WorkflowState.Running) || DateTime.UtcNow > deadline) return all;
            await Task.Delay(250);
        }
    }

    public async Task<IReadOnlyList<ProvisioningEvent>> AllEventsAsync()
    {
        using var call = Provisioning.StreamProvisioningEvents(new StreamProvisioningEventsRequest());
        var events = new List<ProvisioningEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) events.Add(call.ResponseStream.Current);
        return events;
    }

    /// <summary>No event lost or duplicated: global order strictly increasing, every stream's versions 1..n, one start, one end.</summary>
    public static void AssertStreamsIntact(IReadOnlyList<ProvisioningEvent> events, IReadOnlyList<Workflow> workflows)
    {
        var positions = events.Select(e => e.GlobalPosition).ToList();
        Assert.Equal(positions.OrderBy(p => p).Distinct(), positions);
        var streams = events.GroupBy(e => e.WorkflowId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var workflow in workflows)
        {
            Assert.True(streams.TryGetValue(workflow.WorkflowId, out var stream), $"workflow {workflow.WorkflowId} has no events");
            Assert.Equal(Enumerable.Range(1, stream!.Count).Select(v => (long)v), stream.Select(e => e.StreamVersion));
            Assert.Equal("provisioning_requested", stream[0].EventType);
            Assert.Single(stream, e => e.EventType is "provisioning_succeeded" or "provisioning_failed" or "provisioning_cancelled");
            Assert.Contains(stream[^1].EventType, new[] { "provisioning_succeeded", "provisioning_failed", "provisioning_cancelled" });
            foreach (var step in new[] { "device_authenticated", "service_profile_fetched", "config_pushed", "config_verified" })
                Assert.True(stream.Count(e => e.EventType == step) <= 1, $"{workflow.WorkflowId} has {step} twice");
            Assert.Equal(workflow.Version, stream.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.DisposeAsync();
        _channel.Dispose();
    }
}

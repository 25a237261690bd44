using Grpc.Net.Client;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Testing;

namespace Provisioning.Resilience.Tests;

/// <summary>
/// Two orchestrator processes, two CWMP adapter processes and one USP adapter process on one PostgreSQL, a fleet
/// spread over the adapters; one orchestrator is SIGKILLed in the middle of the storm.
/// </summary>
public sealed class ScaleOutTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_fleet_spread_over_two_ACS_instances_and_a_USP_controller_provisions_through_two_orchestrators_and_survives_losing_one()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("scaleout");
        int Port() => FreePort.Next();
        var (grpcA, grpcB) = (Port(), Port());
        var cwmp = new[] { (Acs: Port(), Grpc: Port()), (Acs: Port(), Grpc: Port()) };
        var usp = (Ws: Port(), Grpc: Port());
        // Two load-balancer front ends (outside the system): the first prefers orchestrator A, the second B; each fails over.
        await using var preferA = new TcpLoadBalancer([grpcA, grpcB]);
        await using var preferB = new TcpLoadBalancer([grpcB, grpcA]);

        Dictionary<string, string> Orchestrator(string id, int port) => new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = connectionString,
            ["Orchestrator__GrpcUrl"] = $"http://127.0.0.1:{port}",
            ["Orchestrator__Adapters__Cwmp"] = $"http://127.0.0.1:{cwmp[0].Grpc}",
            ["Orchestrator__Adapters__Usp"] = $"http://127.0.0.1:{usp.Grpc}",
            // The second ACS instance: devices whose sessions it holds are routed there (only registered instances are).
            ["Orchestrator__Adapters__Instances__0"] = $"http://127.0.0.1:{cwmp[1].Grpc}",
            ["Coordination__InstanceId"] = id,
            ["Coordination__LeaseDuration"] = "00:00:03",
            ["Coordination__RenewInterval"] = "00:00:01",
            ["Coordination__ScanInterval"] = "00:00:01",
            ["Store__ProjectionDaemon"] = "Elected",
            ["Workflow__AuthenticateTimeout"] = "00:00:20",
            ["Logging__LogLevel__Default"] = "Warning",
        }.Concat(TestChannels.Environment).ToDictionary();
        Dictionary<string, string> Acs(int index) => new Dictionary<string, string>
        {
            ["Cwmp__AcsUrl"] = $"http://127.0.0.1:{cwmp[index].Acs}",
            ["Cwmp__GrpcUrl"] = $"http://127.0.0.1:{cwmp[index].Grpc}",
            ["Cwmp__OrchestratorUrl"] = index == 0 ? preferA.Address : preferB.Address,
            ["Cwmp__HoldTimeout"] = "00:00:10",
            ["Logging__LogLevel__Default"] = "Warning",
        }.Concat(TestChannels.Environment).ToDictionary();
        await using var orchestratorA = new HostProcess("Provisioning.Orchestrator", Orchestrator("orchestrator-a", grpcA));
        await using var orchestratorB = new HostProcess("Provisioning.Orchestrator", Orchestrator("orchestrator-b", grpcB));
        await using var acs1 = new HostProcess("Provisioning.Southbound.Cwmp", Acs(0));
        await using var acs2 = new HostProcess("Provisioning.Southbound.Cwmp", Acs(1));
        await using var controller = new HostProcess("Provisioning.Southbound.Usp", new Dictionary<string, string>
        {
            ["Usp__WebSocketUrl"] = $"http://127.0.0.1:{usp.Ws}",
            ["Usp__GrpcUrl"] = $"http://127.0.0.1:{usp.Grpc}",
            // The scale-out under test, not agent authentication (tested in Southbound.Usp.Tests): its simulated agents carry no secret.
            ["Usp__Auth__AllowUnauthenticatedAgents"] = "true",
            ["Usp__OrchestratorUrl"] = preferA.Address,
            ["Logging__LogLevel__Default"] = "Warning",
        }.Concat(TestChannels.Environment).ToDictionary());
        orchestratorA.Start();
        await WaitReadyAsync($"http://127.0.0.1:{grpcA}");
        orchestratorB.Start();
        acs1.Start();
        acs2.Start();
        controller.Start();
        await WaitReadyAsync($"http://127.0.0.1:{grpcB}");
        var listening = TimeSpan.FromSeconds(60);
        await acs1.WaitListeningAsync(listening, cwmp[0].Acs, cwmp[0].Grpc);
        await acs2.WaitListeningAsync(listening, cwmp[1].Acs, cwmp[1].Grpc);
        await controller.WaitListeningAsync(listening, usp.Ws, usp.Grpc);

        using var channelA = TestChannels.ForAddress($"http://127.0.0.1:{grpcA}");
        using var channelB = TestChannels.ForAddress($"http://127.0.0.1:{grpcB}");
        var inventory = new InventoryService.InventoryServiceClient(channelB);
        var provisioningB = new ProvisioningService.ProvisioningServiceClient(channelB);

        // 200 CPEs (half per ACS instance) and 40 USP agents.
        await inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan
        {
            Name = "scale", DataEnabled = true, Vlans = new Vlans { DataVlan = 100 },
            Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = "Scale", Key = "scale-wifi-key", Enabled = true } },
        } });
        var bulk = new UpsertDevicesRequest();
        await using var fleet = await CwmpFleet.StartAsync();
        var cpes = new List<SimulatedCpe>();
        for (var i = 0; i < 200; i++)
        {
            var serial = $"SCALE{i:D4}";
            bulk.Devices.Add(new Device
            {
                Identity = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
                ServicePlan = "scale", CwmpUsername = "cpe-" + serial, CwmpPassword = "pw-" + serial,
                ConnectionRequestUsername = "cr-" + serial, ConnectionRequestPassword = "crpw-" + serial,
            });
            cpes.Add(fleet.Add(new SimulatedCpeOptions
            {
                SerialNumber = serial, AcsUrl = new Uri($"http://127.0.0.1:{cwmp[i % 2].Acs}/"),
                Username = "cpe-" + serial, Password = "pw-" + serial,
                ConnectionRequestUsername = "cr-" + serial, ConnectionRequestPassword = "crpw-" + serial,
                AuthScheme = CpeAuthScheme.Digest, RequestTimeout = TimeSpan.FromSeconds(15),
            }, new CpeBehavior { AnswerDelay = TimeSpan.FromMilliseconds(400) })); // slow CPEs: workflows are in flight when A dies
        }
        var agents = new List<SimulatedUspAgent>();
        for (var i = 0; i < 40; i++)
        {
            var identity = new AgentIdentity($"USPSCALE{i:D4}");
            bulk.Devices.Add(new Device
            {
                Identity = new DeviceRef { SerialNumber = identity.SerialNumber, Oui = identity.Oui, ProductClass = identity.ProductClass, Protocol = DeviceProtocol.Usp, EndpointId = identity.EndpointId },
                ServicePlan = "scale",
            });
            agents.Add(new SimulatedUspAgent(new UspAgentOptions
            {
                Identity = identity,
                WebSocketUrl = new Uri($"ws://127.0.0.1:{usp.Ws}/usp"),
                ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
                ReconnectMaxDelay = TimeSpan.FromSeconds(1),
                OnBoardRetryInterval = TimeSpan.FromSeconds(1),
            }));
        }
        await inventory.UpsertDevicesAsync(bulk);

        // Followers on both instances; the storm; then orchestrator A dies.
        var start = 0L;
        using var follow = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var seenOnA = new List<long>();
        var seenOnB = new List<long>();
        var followerA = FollowAsync(new ProvisioningService.ProvisioningServiceClient(channelA), start, seenOnA, follow.Token);
        var followerB = FollowAsync(provisioningB, start, seenOnB, follow.Token);
        var storm = StormEnvironment.BootstrapWithRetriesAsync(cpes, TimeSpan.FromSeconds(100));
        foreach (var agent in agents) agent.Start();
        // Kill A while it drives workflows of its own.
        var heldByA = 0L;
        for (var wait = DateTime.UtcNow.AddSeconds(30); (heldByA < 10 || Count(seenOnA) < 10) && DateTime.UtcNow < wait; await Task.Delay(100))
            heldByA = await LeasesHeldAsync(connectionString, "orchestrator-a");
        orchestratorA.Kill();
        var retried = await storm;

        var environment = new Reader(provisioningB);
        var workflows = await environment.WaitAllTerminalAsync(240, TimeSpan.FromSeconds(90));
        var events = await environment.AllEventsAsync();
        follow.Cancel();
        var seenByA = await followerA;
        var seenByB = await followerB;
        output.WriteLine($"orchestrator A held {heldByA} workflow(s) when it was killed");
        output.WriteLine($"workflows {workflows.Count}, CPE sessions retried {retried}, events {events.Count}, resumed {events.Count(e => e.EventType == "workflow_resumed")}, " +
                         $"follower A saw {seenByA.Count} before its instance died, follower B {seenByB.Count}; results: " +
                         string.Join(", ", workflows.GroupBy(w => w.Result).Select(g => $"{g.Key}={g.Count()} ({g.First().FailureReason})")));

        Assert.All(workflows, w => Assert.NotEqual(WorkflowState.Running, w.State));
        StormEnvironment.AssertStreamsIntact(events, workflows);
        Assert.Contains(events, e => e.EventType == "workflow_resumed" && e.WorkflowResumed.Instance == "orchestrator-b");
        var provisioned = workflows.Where(w => w.Result == WorkflowResult.Success).Select(w => w.Device.SerialNumber).ToHashSet();
        var missing = cpes.Select(c => c.SerialNumber).Concat(agents.Select(a => a.Identity.SerialNumber)).Where(s => !provisioned.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            // The CI machine's files are gone after the run: the hosts' last words go to the test log itself.
            foreach (var (name, host) in new[] { ("orchestrator-b", orchestratorB), ("acs-1", acs1), ("acs-2", acs2), ("usp", controller) })
                output.WriteLine($"--- {name} ---\n{host.Tail()}");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} not provisioned: {string.Join(", ", missing.Take(20))}");
        // Both followers saw one global order: A's (until its instance died) is a prefix of B's.
        Assert.NotEmpty(seenByA);
        Assert.Equal(seenByA, seenByB.Take(seenByA.Count));
        Assert.Equal(events.Select(e => e.GlobalPosition).Take(seenByB.Count), seenByB);
        foreach (var agent in agents) await agent.StopAsync();
    }

    private static int Count(List<long> seen)
    {
        lock (seen) return seen.Count;
    }

    private static async Task<List<long>> FollowAsync(ProvisioningService.ProvisioningServiceClient client, long after, List<long> seen, CancellationToken cancellationToken)
    {
        try
        {
            using var call = client.StreamProvisioningEvents(new StreamProvisioningEventsRequest { AfterPosition = after, Follow = true }, cancellationToken: cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                lock (seen) seen.Add(call.ResponseStream.Current.GlobalPosition);
            }
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException or IOException)
        {
            // the instance died, or the test is done
        }
        lock (seen) return [.. seen];
    }

    private static async Task<long> LeasesHeldAsync(string connectionString, string instance)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select count(*) from provisioning.cpe_workflow_leases where owner = $1", connection);
        command.Parameters.AddWithValue(instance);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitReadyAsync(string address)
    {
        using var channel = TestChannels.ForAddress(address);
        var client = new InventoryService.InventoryServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await client.ListServicePlansAsync(new ListServicePlansRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private sealed class Reader(ProvisioningService.ProvisioningServiceClient client)
    {
        public async Task<IReadOnlyList<Workflow>> WaitAllTerminalAsync(int atLeast, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var page = await client.ListWorkflowsAsync(new ListWorkflowsRequest { PageSize = 1000 });
                var all = page.Workflows.ToList();
                var token = page.NextPageToken;
                while (token.Length > 0)
                {
                    var next = await client.ListWorkflowsAsync(new ListWorkflowsRequest { PageSize = 1000, PageToken = token });
                    all.AddRange(next.Workflows);
                    token = next.NextPageToken;
                }
                if ((all.Count >= atLeast && all.All(w => w.State != WorkflowState.Running)) || DateTime.UtcNow > deadline) return all;
                await Task.Delay(250);
            }
        }

        public async Task<IReadOnlyList<ProvisioningEvent>> AllEventsAsync()
        {
            using var call = client.StreamProvisioningEvents(new StreamProvisioningEventsRequest());
            var events = new List<ProvisioningEvent>();
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) events.Add(call.ResponseStream.Current);
            return events;
        }
    }
}

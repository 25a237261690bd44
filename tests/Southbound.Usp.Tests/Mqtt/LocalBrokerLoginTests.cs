using System.Collections.Concurrent;
using MQTTnet;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Mqtt;

/// <summary>
/// Agents' own logins on the local broker: username = the endpoint ID (':' written "%3A"), password = the agent's
/// secret, taken from the orchestrator's broker hashes and refreshed; anonymous clients only where unauthenticated
/// agents are allowed.
/// </summary>
public sealed class LocalBrokerLoginTests
{
    private const string ControllerUser = "usp-controller";
    private const string ControllerPassword = "controller-password-for-the-test";

    /// <summary>Anonymous agents off (the broker then has only logins), the logins refreshed quickly, the controller's login known to the test.</summary>
    private static readonly Dictionary<string, string?> LoginsOnly = new()
    {
        ["Usp:Auth:AllowUnauthenticatedAgents"] = "false",
        ["Usp:Mqtt:LoginRefresh"] = "00:00:00.300",
        ["Usp:Mqtt:Username"] = ControllerUser,
        ["Usp:Mqtt:Password"] = ControllerPassword,
    };

    private static async Task<(MqttClientConnectResultCode Code, IMqttClient Client)> ConnectAsync(Uri broker, string clientId, string? username, string? password,
        ConcurrentQueue<string>? received = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += args =>
        {
            received?.Enqueue(args.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId(clientId);
        if (username is not null) options.WithCredentials(username, password);
        // MQTTnet 5 answers a refused CONNACK with its result code rather than an exception.
        var result = await client.ConnectAsync(options.Build());
        return (result.ResultCode, client);
    }

    private static string Username(string endpointId) => Launcher.Broker.BrokerUsername.Of(endpointId);

    [Fact]
    public async Task With_anonymous_agents_off_an_agent_with_its_own_secret_is_onboarded_and_wrong_or_no_password_is_refused()
    {
        var (host, broker, _) = await LocalBrokerHost.StartAsync(LoginsOnly);
        await using (host)
        {
            // The simulator logs in with its own secret and asks to be answered on its own topic, which the broker lets
            // only it read (BrokerReaders): it is onboarded as authenticated by its secret, with anonymous agents off.
            host.Orchestrator.RegisterWithSecret("os::00D09E-LOGIN1", "login1:s3cret@/%x");
            var agent = host.StartAgent("LOGIN1", mqttBroker: broker, secret: "login1:s3cret@/%x");
            await UspTestHost.EventuallyAsync(() => host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "the logged-in agent onboarded");
            Assert.Equal(Contracts.Southbound.ContactCredential.AgentSecret, host.Orchestrator.ReportsOf(agent.EndpointId)[0].Credential);
            Assert.Empty(host.Orchestrator.RefusalsOf(agent.EndpointId));

            var (right, rightClient) = await ConnectAsync(broker, "right", Username(agent.EndpointId), "login1:s3cret@/%x");
            using (rightClient) Assert.Equal(MqttClientConnectResultCode.Success, right);
            var (wrong, wrongClient) = await ConnectAsync(broker, "wrong", Username(agent.EndpointId), "not-its-secret");
            using (wrongClient) Assert.Equal(MqttClientConnectResultCode.NotAuthorized, wrong);
            var (none, noneClient) = await ConnectAsync(broker, agent.EndpointId, username: null, password: null);
            using (noneClient) Assert.Equal(MqttClientConnectResultCode.NotAuthorized, none);
            // The endpoint ID as it is (with its ':') names no login: only the escaped form does.
            var (raw, rawClient) = await ConnectAsync(broker, "raw", agent.EndpointId, "login1:s3cret@/%x");
            using (rawClient) Assert.Equal(MqttClientConnectResultCode.NotAuthorized, raw);

            // Nothing of the refused ones reached the controller: the only contacts of this endpoint ID are the simulator's.
            Assert.All(host.Orchestrator.ReportsOf(agent.EndpointId), r => Assert.Equal(Contracts.Southbound.ContactCredential.AgentSecret, r.Credential));
        }
    }

    [Fact]
    public async Task With_anonymous_agents_off_a_record_claiming_another_agent_and_asking_answers_on_its_own_topic_is_ignored()
    {
        var (host, broker, _) = await LocalBrokerHost.StartAsync(LoginsOnly);
        await using (host)
        {
            const string a = "os::00D09E-CLAIMA", b = "os::00D09E-CLAIMB";
            host.Orchestrator.RegisterWithSecret(a, "secret-of-a");
            host.Orchestrator.RegisterWithSecret(b, "secret-of-b");
            var heard = new ConcurrentQueue<string>();
            var (code, impostor) = await EventuallyConnectedAsync(broker, a, "secret-of-a", heard);
            using var own = impostor;
            Assert.Equal(MqttClientConnectResultCode.Success, code);
            await impostor.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(BrokerReadersTopic(a) + "/#").Build());

            // A publishes B's connect record and asks to be answered on a topic of its own.
            var record = new Provisioning.Usp.Records.Record
            {
                Version = "1.3", FromId = b, ToId = UspTestHost.ControllerId,
                MqttConnect = new Provisioning.Usp.Records.MQTTConnectRecord
                {
                    Version = Provisioning.Usp.Records.MQTTConnectRecord.Types.MQTTVersion.V5, SubscribedTopic = BrokerReadersTopic(a) + "/as-b",
                },
            };
            await impostor.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(host.MqttTopic ?? "usp/controller/" + UspTestHost.ControllerId)
                .WithPayload(Google.Protobuf.MessageExtensions.ToByteArray(record)).WithResponseTopic(BrokerReadersTopic(a) + "/as-b")
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

            await Task.Delay(1000);
            Assert.Empty(host.Orchestrator.ReportsOf(b));
            Assert.Empty(heard);
        }
    }

    private static string BrokerReadersTopic(string endpointId) => "usp/agent/" + endpointId;

    [Fact]
    public async Task With_anonymous_agents_allowed_an_agent_that_logs_in_is_onboarded_through_the_local_broker()
    {
        var (host, broker, _) = await LocalBrokerHost.StartAsync(new Dictionary<string, string?> { ["Usp:Mqtt:LoginRefresh"] = "00:00:00.300" });
        await using (host)
        {
            host.Orchestrator.RegisterWithSecret("os::00D09E-LOGIN2", "login2-secret");
            var (code, probe) = await EventuallyConnectedAsync(broker, "os::00D09E-LOGIN2", "login2-secret");
            using (probe)
            {
                Assert.Equal(MqttClientConnectResultCode.Success, code);
                await probe.DisconnectAsync();
            }

            var agent = host.StartAgent("LOGIN2", mqttBroker: broker, secret: "login2-secret");
            await UspTestHost.EventuallyAsync(() => host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "contact over the local broker with the agent's login");
            Assert.Equal("mqtt", host.Orchestrator.ReportsOf(agent.EndpointId)[0].Identity.Endpoint);

            // A wrong password is refused even where anonymous clients are let in.
            var (wrong, wrongClient) = await ConnectAsync(broker, "wrong", Username(agent.EndpointId), "not-its-secret");
            using (wrongClient) Assert.Equal(MqttClientConnectResultCode.NotAuthorized, wrong);
        }
    }

    [Fact]
    public async Task With_anonymous_agents_allowed_an_anonymous_client_reads_an_anonymous_agents_topic_but_not_one_with_a_login()
    {
        var settings = new Dictionary<string, string?>(LoginsOnly) { ["Usp:Auth:AllowUnauthenticatedAgents"] = "true" };
        var (host, broker, _) = await LocalBrokerHost.StartAsync(settings);
        await using (host)
        {
            const string owned = "os::00D09E-OWNED1", anonymous = "os::00D09E-ANON1";
            host.Orchestrator.RegisterWithSecret(owned, "owned-secret");
            var toOwner = new ConcurrentQueue<string>();
            var (ownerCode, owner) = await EventuallyConnectedAsync(broker, owned, "owned-secret", toOwner, clientId: "owner-of-owned1");
            using var ownerOwn = owner;
            Assert.Equal(MqttClientConnectResultCode.Success, ownerCode);
            await owner.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("usp/agent/" + owned).Build());

            // Anonymous clients whose client IDs name the agents (the ACL's %c): one is the anonymous agent, one an intruder.
            var toIntruder = new ConcurrentQueue<string>();
            var (intruderCode, intruder) = await ConnectAsync(broker, owned, username: null, password: null, toIntruder);
            using var intruderOwn = intruder;
            Assert.Equal(MqttClientConnectResultCode.Success, intruderCode);
            await intruder.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("usp/agent/" + owned).Build());
            var toAnonymous = new ConcurrentQueue<string>();
            var (anonymousCode, anonymousAgent) = await ConnectAsync(broker, anonymous, username: null, password: null, toAnonymous);
            using var anonymousOwn = anonymousAgent;
            Assert.Equal(MqttClientConnectResultCode.Success, anonymousCode);
            await anonymousAgent.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("usp/agent/" + anonymous).Build());

            var (cCode, controller) = await ConnectAsync(broker, "controller-in-test", ControllerUser, ControllerPassword);
            using var controllerOwn = controller;
            Assert.Equal(MqttClientConnectResultCode.Success, cCode);
            foreach (var to in (string[])[owned, anonymous])
                await controller.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("usp/agent/" + to).WithPayload([1])
                    .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await UspTestHost.EventuallyAsync(() => !toOwner.IsEmpty && !toAnonymous.IsEmpty, "each agent reads its own topic");
            await Task.Delay(300);
            Assert.Empty(toIntruder);
        }
    }

    [Fact]
    public async Task An_agent_logged_in_as_A_cannot_read_Bs_topic_nor_take_over_Bs_session()
    {
        var (host, broker, _) = await LocalBrokerHost.StartAsync(LoginsOnly);
        await using (host)
        {
            const string a = "os::00D09E-AGENTA", b = "os::00D09E-AGENTB";
            host.Orchestrator.RegisterWithSecret(a, "secret-of-a");
            host.Orchestrator.RegisterWithSecret(b, "secret-of-b");
            var toB = new ConcurrentQueue<string>();
            var (bCode, bClient) = await EventuallyConnectedAsync(broker, b, "secret-of-b", toB);
            using var bOwn = bClient;
            Assert.Equal(MqttClientConnectResultCode.Success, bCode);
            await bClient.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("usp/agent/" + b).Build());

            // A logs in with its own secret and a client ID naming B, and asks for B's topic and everything.
            var spied = new ConcurrentQueue<string>();
            var (aCode, aClient) = await EventuallyConnectedAsync(broker, a, "secret-of-a", spied, clientId: b);
            using var aOwn = aClient;
            Assert.Equal(MqttClientConnectResultCode.Success, aCode);
            foreach (var filter in (string[])["usp/agent/" + b, "usp/agent/" + b + "/#", "usp/agent/#", "#"])
                await aClient.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());

            // The controller's user writes to B's topic: B reads it, A does not, and B's session was not taken over.
            var (cCode, controller) = await ConnectAsync(broker, "controller-in-test", ControllerUser, ControllerPassword);
            using var controllerOwn = controller;
            Assert.Equal(MqttClientConnectResultCode.Success, cCode);
            await controller.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("usp/agent/" + b).WithPayload([1, 2, 3])
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await UspTestHost.EventuallyAsync(() => !toB.IsEmpty, "B reads its own topic");
            await Task.Delay(300);
            Assert.Empty(spied);
            Assert.True(bClient.IsConnected);
        }
    }

    [Fact]
    public async Task A_secret_the_inventory_takes_after_the_start_reaches_the_broker_with_the_refresh()
    {
        var (host, broker, _) = await LocalBrokerHost.StartAsync(LoginsOnly);
        await using (host)
        {
            // More agents than one page of the (fake) orchestrator's answer: the controller reads every page.
            for (var i = 0; i < 5; i++) host.Orchestrator.RegisterWithSecret($"os::00D09E-EARLY{i}", $"early-secret-{i}");
            const string late = "os::00D09E-LATE1";
            var (before, beforeClient) = await ConnectAsync(broker, "late", Username(late), "late-secret");
            using (beforeClient) Assert.Equal(MqttClientConnectResultCode.NotAuthorized, before);

            host.Orchestrator.RegisterWithSecret(late, "late-secret");
            var (after, afterClient) = await EventuallyConnectedAsync(broker, late, "late-secret");
            using (afterClient) Assert.Equal(MqttClientConnectResultCode.Success, after);
            var (early, earlyClient) = await EventuallyConnectedAsync(broker, "os::00D09E-EARLY4", "early-secret-4");
            using (earlyClient) Assert.Equal(MqttClientConnectResultCode.Success, early);
        }
    }

    /// <summary>Logs in as the endpoint ID until the broker lets it (the logins arrive with the refresh), or 10 s.</summary>
    private static async Task<(MqttClientConnectResultCode Code, IMqttClient Client)> EventuallyConnectedAsync(Uri broker, string endpointId, string secret,
        ConcurrentQueue<string>? received = null, string? clientId = null)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (code, client) = await ConnectAsync(broker, clientId ?? endpointId, Username(endpointId), secret, received);
            if (code == MqttClientConnectResultCode.Success || DateTime.UtcNow > until) return (code, client);
            client.Dispose();
            await Task.Delay(100);
        }
    }
}

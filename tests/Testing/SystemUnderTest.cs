using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Provisioning.Contracts.Northbound;
using Provisioning.Launcher;
using Provisioning.Launcher.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Provisioning.Testing;

/// <summary>
/// The whole system as a test sees it: a fresh PostgreSQL database, the orchestrator and (unless settings say
/// otherwise) its in-process CWMP and USP adapters, each on a free loopback port, reached over real gRPC.
/// </summary>
public sealed class SystemUnderTest : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private WebApplication? _orchestrator;
    private readonly GrpcChannel _channel;

    private SystemUnderTest(Dictionary<string, string?> settings, string connectionString)
    {
        _settings = settings;
        ConnectionString = connectionString;
        GrpcAddress = InProcessWiring.Dialable(settings["Orchestrator:GrpcUrl"]!);
        AcsUrl = new Uri(settings["Cwmp:AcsUrl"]!.TrimEnd('/') + "/");
        UspWebSocketUrl = new Uri(settings["Usp:WebSocketUrl"]!.Replace("https://", "wss://").Replace("http://", "ws://").TrimEnd('/') + settings["Usp:WebSocketPath"]);
        UspControllerEndpointId = settings["Usp:EndpointId"]!;
        _channel = CreateChannel();
        // Every call of the test's clients carries the admin key (auth is always on); tests of auth itself use Invoker(token).
        var invoker = Invoker(settings["Auth:ApiKeys:test-admin:Key"]);
        Provisioning = new ProvisioningService.ProvisioningServiceClient(invoker);
        Inventory = new InventoryService.InventoryServiceClient(invoker);
    }

    /// <summary>The admin key configured for tests (Auth:ApiKeys:test-admin).</summary>
    public const string AdminKey = "test-admin-key-0123456789";
    /// <summary>An operator key configured for tests (Auth:ApiKeys:test-operator).</summary>
    public const string OperatorKey = "test-operator-key-0123456789";
    /// <summary>The orchestrator ↔ adapter key configured for tests (Auth:InternalKey).</summary>
    public const string InternalKey = "test-internal-key-0123456789";

    /// <summary>Calls over the system's channel carrying <paramref name="token"/> as a bearer token (none when null).</summary>
    public CallInvoker Invoker(string? token)
    {
        var invoker = _channel.CreateCallInvoker();
        if (token is null) return invoker;
        return invoker.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });
    }

    public ProvisioningService.ProvisioningServiceClient Provisioning { get; }
    public InventoryService.InventoryServiceClient Inventory { get; }
    public Uri AcsUrl { get; }
    public Uri UspWebSocketUrl { get; }
    public string UspControllerEndpointId { get; }
    public string ConnectionString { get; }
    public string GrpcAddress { get; }
    public IReadOnlyDictionary<string, string?> Settings => _settings;
    public IServiceProvider Services => Host.Services;
    public Microsoft.Extensions.Hosting.IHost Host => _orchestrator ?? throw new InvalidOperationException("the orchestrator is stopped");

    private Action<WebApplicationBuilder>? _configure;

    public static async Task<SystemUnderTest> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("sut");
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Marten"] = connectionString,
            ["Orchestrator:GrpcUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Orchestrator:HostAdapters"] = "true",
            ["Cwmp:AcsUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Cwmp:GrpcUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Usp:WebSocketUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Usp:WebSocketPath"] = "/usp",
            ["Usp:GrpcUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Usp:EndpointId"] = "self::provisioning-controller",
            ["Usp:Auth:AllowUnauthenticatedAgents"] = "true", // simulated agents carry no secret unless a test gives them one
            ["Workflow:AuthenticateTimeout"] = "00:00:20",
            ["Workflow:PushConfigTimeout"] = "00:00:20",
            ["Workflow:VerifyTimeout"] = "00:00:20",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Coordination:LeaseDuration"] = "00:00:03",
            ["Coordination:RenewInterval"] = "00:00:01",
            ["Coordination:ScanInterval"] = "00:00:01",
            ["Auth:ApiKeys:test-admin:Key"] = AdminKey,
            ["Auth:ApiKeys:test-admin:Role"] = "admin",
            ["Auth:ApiKeys:test-operator:Key"] = OperatorKey,
            ["Auth:ApiKeys:test-operator:Role"] = "operator",
            ["Auth:InternalKey"] = InternalKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        // In-process adapters are wired by the launcher (InProcessWiring); separately hosted ones by the test.
        if (all["Orchestrator:HostAdapters"] == "false")
        {
            all.TryAdd("Cwmp:OrchestratorUrl", all["Orchestrator:GrpcUrl"]);
            all.TryAdd("Usp:OrchestratorUrl", all["Orchestrator:GrpcUrl"]);
            all.TryAdd("Orchestrator:Adapters:Cwmp", all["Cwmp:GrpcUrl"]);
            all.TryAdd("Orchestrator:Adapters:Usp", all["Usp:GrpcUrl"]);
        }

        var system = new SystemUnderTest(all, connectionString) { _configure = configure };
        await system.StartOrchestratorAsync();
        return system;
    }

    public async Task StartOrchestratorAsync()
    {
        if (_orchestrator is not null) return;
        _orchestrator = await OneProcessApplication.BuildAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(_settings);
            _configure?.Invoke(builder);
        });
        await _orchestrator.StartAsync();
    }

    /// <summary>Stops the orchestrator process's host (as a crash would, workflows in flight stay running in the store).</summary>
    public async Task StopOrchestratorAsync()
    {
        if (_orchestrator is null) return;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10))) await _orchestrator.StopAsync(timeout.Token);
        await _orchestrator.DisposeAsync();
        _orchestrator = null;
    }

    /// <summary>
    /// Stops the orchestrator as a crash would: its workflow leases are not handed back (they expire), nothing is
    /// written on the way down. For crash tests inside one test process; see the multi-process tests for SIGKILL.
    /// </summary>
    public async Task CrashOrchestratorAsync()
    {
        if (_orchestrator is null) return;
        var leases = _orchestrator.Services.GetRequiredService<Provisioning.Orchestrator.Coordination.WorkflowLeases>();
        leases.Forsake();
        await StopOrchestratorAsync();
    }

    public async Task<Workflow> WaitForTerminalAsync(string workflowId, TimeSpan? timeout = null)
    {
        return await WaitAsync(async () =>
        {
            var workflow = await Provisioning.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = workflowId });
            return workflow.State is WorkflowState.Running or WorkflowState.Unspecified ? null : workflow;
        }, timeout, $"workflow {workflowId} did not end");
    }

    public async Task<Workflow> WaitForDeviceWorkflowAsync(string serialNumber, Func<Workflow, bool> until, TimeSpan? timeout = null)
    {
        return await WaitAsync(async () =>
        {
            var page = await Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serialNumber, PageSize = 100 });
            return page.Workflows.FirstOrDefault(until);
        }, timeout, $"no workflow of {serialNumber} matched");
    }

    /// <summary>Every stored event (optionally of one workflow), read through the northbound stream.</summary>
    public async Task<IReadOnlyList<ProvisioningEvent>> EventsAsync(string? workflowId = null)
    {
        var request = new StreamProvisioningEventsRequest { Follow = false };
        if (workflowId is not null) request.WorkflowId = workflowId;
        using var call = Provisioning.StreamProvisioningEvents(request);
        var events = new List<ProvisioningEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) events.Add(call.ResponseStream.Current);
        return events;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout, string failure) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = await probe();
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
            await Task.Delay(50);
        }
    }

    private GrpcChannel CreateChannel() => GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions
    {
        HttpHandler = TrustedHandler(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }),
        MaxReceiveMessageSize = 64 * 1024 * 1024,
    });

    /// <summary>With Orchestrator:Tls:CaPath set (TLS tests), the handler trusts that CA.</summary>
    private SocketsHttpHandler TrustedHandler(SocketsHttpHandler handler)
    {
        if (_settings.GetValueOrDefault("Orchestrator:Tls:CaPath") is { Length: > 0 } caPath)
        {
            var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caPath);
            ServiceDefaults.Tls.CertificateTrust.Apply(handler, ca);
        }
        return handler;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await StopOrchestratorAsync();
    }
}

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Provisioning.Contracts.Southbound;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Provisioning.Orchestrator.Campaigns;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Grpc;
using Provisioning.Orchestrator.Hosting;
using Provisioning.Orchestrator.Reports;
using Provisioning.Orchestrator.Security;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Storage;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Steps;
using Provisioning.ServiceDefaults.Connections;
using Provisioning.ServiceDefaults.Settings;
using Provisioning.ServiceDefaults.Tls;

namespace Provisioning.Orchestrator.Extensions;

public static class OrchestratorExtensions
{
    /// <summary>Largest northbound message (bulk inventory loads); larger ones are refused with RESOURCE_EXHAUSTED.</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    public static WebApplicationBuilder AddOrchestrator(this WebApplicationBuilder builder)
    {
        var grpcUrl = builder.Configuration["Orchestrator:GrpcUrl"] ?? OrchestratorDefaults.GrpcUrl;
        var northbound = builder.AddConnectionBudget(ConnectionBudgets.Northbound);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listener.Listen(kestrel, grpcUrl, HttpProtocols.Http2, northbound);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });

        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxMessageBytes;
            options.Interceptors.Add<ErrorInterceptor>();
        });
        builder.AddNorthboundAuthentication().UseTlsCertificateFrom("Orchestrator:Tls");
        builder.Services.AddGrpcReflection();
        // Reflection describes what a northbound client may call, not the adapters' internal DeviceContacts API.
        global::Google.Protobuf.Reflection.ServiceDescriptor[] described =
        [
            Contracts.Northbound.ProvisioningService.Descriptor, Contracts.Northbound.InventoryService.Descriptor,
            Contracts.Northbound.CampaignService.Descriptor,
            global::Grpc.Health.V1.Health.Descriptor,
            global::Grpc.Reflection.V1Alpha.ServerReflection.Descriptor, global::Grpc.Reflection.V1.ServerReflection.Descriptor,
        ];
        builder.Services.AddSingleton(new global::Grpc.Reflection.ReflectionServiceImpl(described));
        builder.Services.AddSingleton(new global::Grpc.Reflection.ReflectionV1ServiceImpl(described));
        builder.Services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store");

        builder.AddSettings<WorkflowOptions>(WorkflowOptions.Section);
        var adapters = builder.AddSettings<AdapterOptions>(AdapterOptions.Section);
        builder.Services.AddSingleton<AdapterRegistry>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddSettings<DeviceOptions>(DeviceOptions.Section);
        builder.Services.AddSingleton<ContactRecorder>();
        builder.Services.AddHostedService<ContactCountFlusher>();
        builder.Services.AddSingleton<CredentialLifecycle>();
        builder.Services.AddSingleton<DeviceContactReader>();
        builder.Services.AddSingleton<RouteSeenAtBatch>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RouteSeenAtBatch>());
        builder.Services.AddSingleton<WorkflowContextLoader>();
        builder.Services.AddSingleton<SouthboundCalls>();
        builder.Services.AddSingleton<IWorkflowStep, AuthenticateStep>();
        builder.Services.AddSingleton<IWorkflowStep, FetchProfileStep>();
        builder.Services.AddSingleton<IWorkflowStep, PushConfigStep>();
        builder.Services.AddSingleton<IWorkflowStep, VerifyStep>();
        builder.Services.AddSingleton<DeviceOperationCall>();
        builder.Services.AddSingleton<OperationSecrets>();
        builder.Services.AddSingleton<IWorkflowStep, RebootStep>();
        builder.Services.AddSingleton<IWorkflowStep, FactoryResetStep>();
        builder.Services.AddSingleton<IWorkflowStep, GetParametersStep>();
        builder.Services.AddSingleton<IWorkflowStep, SetParametersStep>();
        builder.Services.AddSingleton<IWorkflowStep, UpgradeFirmwareStep>();
        builder.Services.AddSingleton<WorkflowCommits>();
        builder.Services.AddSingleton<WorkflowStore>();
        builder.Services.AddSingleton<WorkflowDriver>();
        builder.AddSettings<CoordinationOptions>(CoordinationOptions.Section);
        builder.Services.AddSingleton<WorkflowLeases>();
        builder.Services.AddSingleton<WorkflowRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkflowRunner>());
        builder.Services.AddHostedService<WorkflowOwnership>();
        builder.Services.AddSingleton<WorkflowStarter>();
        builder.Services.AddSingleton<WorkflowCanceller>();
        builder.Services.AddSingleton<ProjectionRebuilder>();
        builder.Services.AddSingleton<DeviceAdapters>();
        builder.AddSettings<CampaignOptions>(CampaignOptions.Section);
        builder.Services.AddSingleton<CampaignRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CampaignRunner>());
        builder.Services.AddSingleton<CampaignStarter>();
        builder.Services.AddSingleton<CampaignControl>();
        builder.Services.AddHostedService<ListeningBanner>();

        AddAdapterClient(builder, DeviceAdapters.CwmpClient, adapters.Cwmp);
        AddAdapterClient(builder, DeviceAdapters.UspClient, adapters.Usp);
        return builder;
    }

    public static WebApplication MapOrchestrator(this WebApplication app)
    {
        app.UseConnectionBudgets();
        app.MapGrpcService<ProvisioningGrpcService>().RequireAuthorization(Policies.Operator);
        app.MapGrpcService<InventoryGrpcService>().RequireAuthorization(Policies.Admin);
        app.MapGrpcService<CampaignGrpcService>().RequireAuthorization(Policies.Operator);
        app.MapGrpcService<DeviceContactsGrpcService>().RequireAuthorization(Policies.Adapter);
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }

    private static void AddAdapterClient(WebApplicationBuilder builder, string name, string address)
    {
        builder.Services.AddGrpcClient<DeviceAdapter.DeviceAdapterClient>(name, options => options.Address = new Uri(address))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A storm keeps thousands of calls in flight: don't queue them behind one connection's stream limit.
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            })
            .AddInternalChannel(builder.Configuration, "Orchestrator:Tls");
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Provisioning.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Provisioning.Contracts.Southbound;
using Provisioning.Contracts.DataModel;
using Provisioning.ServiceDefaults.Tls;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Agents.Authentication;
using Provisioning.Southbound.Usp.Grpc;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Notify;
using Provisioning.Southbound.Usp.Messages.Operate;
using Provisioning.Southbound.Usp.Onboarding;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Southbound.Usp.Transport.Mqtt;
using Provisioning.Southbound.Usp.Transport.WebSocket;

namespace Provisioning.Southbound.Usp.Extensions;

public static class UspServiceExtensions
{
    /// <summary>The USP controller: agent sessions, MTPs, first contact and the DeviceAdapter gRPC service.</summary>
    public static IHostApplicationBuilder AddUspController(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(UspOptions.Section);
        var options = builder.AddSettings<UspOptions>(UspOptions.Section);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AgentRegistry>();
        builder.Services.AddSingleton<AgentDirectory>();
        builder.Services.AddSingleton<RefusedContacts>();
        builder.Services.AddSingleton<AgentAuthentication>();
        if (options.Auth.AllowUnauthenticatedAgents) builder.Services.AddHostedService<UnauthenticatedAgentsWarning>();
        builder.Services.AddSingleton<UspRequester>();
        builder.Services.AddSingleton<OperationCompletions>();
        builder.Services.AddSingleton<AwaitedBoots>();
        builder.Services.AddSingleton<InstanceMaps>();
        builder.Services.AddSingleton<FirstContact>();
        builder.Services.AddSingleton<NotifyHandler>();
        builder.Services.AddSingleton<RecordDispatcher>();
        builder.Services.AddSingleton<UspWebSocketEndpoint>();

        builder.Services.AddGrpc();
        builder.Services.AddGrpcClient<DeviceContacts.DeviceContactsClient>(o => o.Address = new Uri(options.OrchestratorUrl))
            .AddInternalChannel(builder.Configuration, "Usp:Tls");

        if (options.Mqtt.Enabled)
        {
            // A broker that gives each agent a login and keeps it to its own topic (the launcher's local mosquitto, or an
            // operator's broker configured the same way) proves who may hear a record's answers; any other proves nothing.
            builder.Services.AddSingleton(options.Mqtt.BrokerKeepsAgentsToOwnTopics ? new BrokerReaders(true) : BrokerReaders.Unproven);
            builder.Services.AddSingleton<UspMqttTransport>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<UspMqttTransport>());
        }
        return builder;
    }

    /// <summary>The WebSocket MTP at its path (on the WebSocket listener only: see <see cref="Hosting.ListenerSplit"/>).</summary>
    public static IEndpointConventionBuilder MapUspWebSocket(this IEndpointRouteBuilder endpoints, string path) =>
        endpoints.Map(path, context => context.RequestServices.GetRequiredService<UspWebSocketEndpoint>().HandleAsync(context));
}

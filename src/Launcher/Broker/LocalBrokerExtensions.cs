using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.ServiceDefaults.Settings;
using Provisioning.Southbound.Usp;

namespace Provisioning.Launcher.Broker;

public static class LocalBrokerExtensions
{
    /// <summary>
    /// On a USP controller's builder, before the controller is added: with MQTT on and no broker configured (or
    /// Usp:Mqtt:StartLocalBroker), a private mosquitto that the controller logs in to as the one user who may read its
    /// topic, each agent with its own login kept to its own topic. The controller learns that through its settings
    /// (credentials, Usp:Mqtt:BrokerKeepsAgentsToOwnTopics), as it would about an operator's broker.
    /// </summary>
    public static IHostApplicationBuilder AddLocalBroker(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(LocalBrokerOptions.Section);
        var options = builder.AddSettings<LocalBrokerOptions>(LocalBrokerOptions.Section);
        if (!options.Enabled || !(options.StartLocalBroker ?? string.IsNullOrEmpty(section["BrokerUrl"]))) return builder;

        LocalBrokerAccess? access = null;
        if (options.LocalBrokerAcl)
        {
            var endpointId = builder.Configuration[$"{UspOptions.Section}:EndpointId"] is { Length: > 0 } id ? id : new UspOptions().EndpointId;
            var topic = options.Topic is { Length: > 0 } t ? t : "usp/controller/" + endpointId;
            var allowAnonymous = builder.Configuration.GetValue<bool>($"{UspOptions.Section}:Auth:AllowUnauthenticatedAgents");
            access = LocalBrokerAccess.Generate(topic, options.Username, options.Password, allowAnonymous);
            // A source of its own rather than the indexer: the hosted adapters' configuration chains the orchestrator's.
            builder.Configuration.AddInMemoryCollection(
            [
                new($"{LocalBrokerOptions.Section}:Username", access.ControllerUsername),
                new($"{LocalBrokerOptions.Section}:Password", access.ControllerPassword),
                new($"{LocalBrokerOptions.Section}:BrokerKeepsAgentsToOwnTopics", (!allowAnonymous).ToString()),
            ]);
        }
        builder.Services.AddSingleton<BrokerLoginSource>();
        builder.Services.AddHostedService(sp => new LocalBroker(new Uri(options.BrokerUrl), access,
            access is null ? null : sp.GetRequiredService<BrokerLoginSource>(), options.LoginRefresh,
            sp.GetRequiredService<ILogger<LocalBroker>>()));
        return builder;
    }
}

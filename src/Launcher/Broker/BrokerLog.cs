using Microsoft.Extensions.Logging;

namespace Provisioning.Launcher.Broker;

/// <summary>What the local broker says. Event ids 7001–7006: unique across the hosts (orchestrator 1xxx–3xxx, CWMP 5xxx, USP 6xxx).</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(7001, LogLevel.Information, "Local MQTT broker on 127.0.0.1:{Port}: {State}")]
    public static partial void LocalBroker(ILogger logger, string state, int port);

    [LoggerMessage(7002, LogLevel.Error, "MQTT is enabled with no broker configured and mosquitto is not installed (apt-get install -y mosquitto), nor does anything listen on 127.0.0.1:{Port}; set Usp__Mqtt__BrokerUrl to use another broker")]
    public static partial void LocalBrokerMissing(ILogger logger, int port);

    [LoggerMessage(7003, LogLevel.Warning, "mosquitto: {Line}")]
    public static partial void LocalBrokerSaid(ILogger logger, string line);

    [LoggerMessage(7004, LogLevel.Information, "Local MQTT broker: {Count} agent logins loaded")]
    public static partial void BrokerLoginsLoaded(ILogger logger, int count);

    [LoggerMessage(7005, LogLevel.Warning, "Local MQTT broker: the agents' logins cannot be taken from the orchestrator now ({Reason}); the broker keeps those it has")]
    public static partial void BrokerLoginsUnavailable(ILogger logger, string reason);

    [LoggerMessage(7006, LogLevel.Warning, "Local MQTT broker: the agents' logins could not be written ({Reason}); the broker keeps those it has")]
    public static partial void BrokerLoginsNotWritten(ILogger logger, string reason);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// The run command's default broker: with MQTT enabled and no broker configured, a private mosquitto on 127.0.0.1
/// at the default broker URL's port, unless something already listens there. Started before the MQTT transport,
/// stopped with the host. With <see cref="LocalBrokerAccess"/> (the default) each agent is kept to its own topic.
/// </summary>
internal sealed class LocalBroker(Uri brokerUrl, LocalBrokerAccess? access, ILogger<LocalBroker> logger) : IHostedService
{
    private MosquittoProcess? _broker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = brokerUrl.Port > 0 ? brokerUrl.Port : 1883;
        if (await MosquittoProcess.AcceptsAsync(port).ConfigureAwait(false))
        {
            UspLog.LocalBroker(logger, "already listening", port);
            return;
        }
        if (MosquittoProcess.Executable() is not { } executable)
        {
            UspLog.LocalBrokerMissing(logger, port);
            return; // the transport keeps retrying: an operator may start a broker later
        }
        try
        {
            _broker = await MosquittoProcess.StartAsync(executable, port, line => UspLog.LocalBrokerSaid(logger, line), cancellationToken, access).ConfigureAwait(false);
            UspLog.LocalBroker(logger, "started (mosquitto)", port);
        }
        catch (InvalidOperationException ex)
        {
            UspLog.LocalBroker(logger, ex.Message, port);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_broker is not null) await _broker.DisposeAsync().ConfigureAwait(false);
    }
}

using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Provisioning.Launcher.Broker;

/// <summary>
/// The run command's default broker: with MQTT enabled and no broker configured, a private mosquitto on 127.0.0.1
/// at the default broker URL's port, unless something already listens there. Started before the MQTT transport,
/// stopped with the host. With <see cref="LocalBrokerAccess"/> (the default) each agent is kept to its own topic, and
/// the agents' logins are taken from the orchestrator at start and again every <c>Usp:Mqtt:LoginRefresh</c>, so a
/// secret the inventory takes later reaches the broker without a restart.
/// </summary>
internal sealed class LocalBroker(Uri brokerUrl, LocalBrokerAccess? access, BrokerLoginSource? logins, TimeSpan loginRefresh, ILogger<LocalBroker> logger) : IHostedService
{
    /// <summary>How long the start waits for the first logins; later the refresh brings them (an orchestrator starting too).</summary>
    private static readonly TimeSpan FirstLoginsWait = TimeSpan.FromSeconds(5);
    private MosquittoProcess? _broker;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _refresh;
    private IReadOnlyList<BrokerLogin> _agents = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = brokerUrl.Port > 0 ? brokerUrl.Port : 1883;
        if (await MosquittoProcess.AcceptsAsync(port).ConfigureAwait(false))
        {
            BrokerLog.LocalBroker(logger, "already listening", port);
            return;
        }
        if (MosquittoProcess.Executable() is not { } executable)
        {
            BrokerLog.LocalBrokerMissing(logger, port);
            return; // the transport keeps retrying: an operator may start a broker later
        }
        if (access is not null && logins is not null)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(FirstLoginsWait);
            _agents = await ListAsync(wait.Token).ConfigureAwait(false) ?? [];
        }
        try
        {
            _broker = await MosquittoProcess.StartAsync(executable, port, line => BrokerLog.LocalBrokerSaid(logger, line), cancellationToken, access, _agents).ConfigureAwait(false);
            BrokerLog.LocalBroker(logger, "started (mosquitto)", port);
            if (access is not null) BrokerLog.BrokerLoginsLoaded(logger, _agents.Count);
        }
        catch (InvalidOperationException ex)
        {
            BrokerLog.LocalBroker(logger, ex.Message, port);
            return;
        }
        if (access is not null && logins is not null) _refresh = Task.Run(() => RefreshAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task RefreshAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(loginRefresh);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                if (await ListAsync(stopping).ConfigureAwait(false) is not { } agents || agents.SequenceEqual(_agents)) continue;
                // Only a change is written and signalled: mosquitto re-checks every connected client on a reload.
                try
                {
                    if (await _broker!.ReloadAsync(agents, stopping).ConfigureAwait(false))
                    {
                        _agents = agents;
                        BrokerLog.BrokerLoginsLoaded(logger, agents.Count);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    BrokerLog.BrokerLoginsNotWritten(logger, ex.Message); // tried again at the next tick
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The logins now, or null when the orchestrator cannot be asked (the broker keeps those it has).</summary>
    private async Task<IReadOnlyList<BrokerLogin>?> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await logins!.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException)
        {
            // Stopping cancels the call too: that is no outage to report.
            if (!_stopping.IsCancellationRequested) BrokerLog.BrokerLoginsUnavailable(logger, ex.Message);
            return null;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refresh is not null) await _refresh.ConfigureAwait(false);
        if (_broker is not null) await _broker.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}

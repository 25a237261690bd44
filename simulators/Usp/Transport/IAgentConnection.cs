namespace Provisioning.Simulators.Usp.Transport;

/// <summary>One MTP connection of a simulated agent to its controller.</summary>
internal interface IAgentConnection : IAsyncDisposable
{
    /// <summary>The record type announcing this MTP ("websocket_connect" / "mqtt_connect").</summary>
    Provisioning.Usp.Records.Record ConnectRecord(string fromId, string toId);

    ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>Reads records until the connection ends; each record is passed to <paramref name="onRecord"/>.</summary>
    Task ReceiveAsync(Func<ReadOnlyMemory<byte>, ValueTask> onRecord, CancellationToken cancellationToken);

    /// <summary>Drops the connection abruptly (no close handshake).</summary>
    void Abort();
}

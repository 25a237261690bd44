namespace Provisioning.Southbound.Usp.Agents;

/// <summary>One MTP connection to one agent: where records to that agent go.</summary>
internal interface IAgentLink
{
    /// <summary>"websocket" or "mqtt".</summary>
    string Mtp { get; }

    ValueTask SendAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>Ends the connection (a WebSocket is closed; an MQTT link just stops being used).</summary>
    ValueTask CloseAsync(string reason);
}

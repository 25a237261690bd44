using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Notify;
using Provisioning.Southbound.Usp.Onboarding;
using Provisioning.Southbound.Usp.Telemetry;
using Provisioning.Usp.Messages;
using Provisioning.Usp.Records;

namespace Provisioning.Southbound.Usp.Records;

/// <summary>
/// What the controller does with a record received on any MTP: connect records start first contact,
/// Disconnect drops the session, a message is a response (matched by msg_id) or a Notify.
/// </summary>
internal sealed class RecordDispatcher(
    AgentRegistry registry,
    FirstContact firstContact,
    NotifyHandler notifyHandler,
    IOptions<UspOptions> options,
    ILogger<RecordDispatcher> logger)
{
    private readonly string _controllerId = options.Value.EndpointId;

    /// <summary>True when the record is addressed to this controller (else it is counted and must be ignored).</summary>
    public bool IsForUs(Record record, string endpointId)
    {
        if (record.ToId == _controllerId) return true;
        UspTelemetry.CountIgnored("wrong_to_id");
        UspLog.RecordIgnored(logger, endpointId, "to_id is not this controller");
        return false;
    }

    /// <summary>Handles one record of the session's connection. Throws <see cref="UspRecordException"/> for an unparseable payload.</summary>
    public async ValueTask DispatchAsync(AgentSession session, Record record, CancellationToken cancellationToken)
    {
        if (!IsForUs(record, session.EndpointId)) return;
        if (record.FromId != session.EndpointId)
        {
            UspTelemetry.CountIgnored("wrong_from_id");
            UspLog.RecordIgnored(logger, session.EndpointId, "from_id differs from the connection's endpoint ID");
            return;
        }
        if (session.Admission == AgentAdmission.Refused) return;

        switch (record.RecordTypeCase)
        {
            case Record.RecordTypeOneofCase.NoSessionContext:
                if (record.PayloadSecurity != Record.Types.PayloadSecurity.Plaintext)
                {
                    UspTelemetry.CountIgnored("payload_security");
                    return;
                }
                var msg = RecordCodec.ParseMsg(record.NoSessionContext.Payload);
                await HandleMessageAsync(session, msg, cancellationToken).ConfigureAwait(false);
                break;
            case Record.RecordTypeOneofCase.WebsocketConnect:
                firstContact.OnContact(session, "websocket_connect");
                break;
            case Record.RecordTypeOneofCase.MqttConnect:
                firstContact.OnContact(session, "mqtt_connect");
                break;
            case Record.RecordTypeOneofCase.Disconnect:
                // The agent is going away: whatever was cached for it (identity, pending requests) goes too.
                registry.Disconnect(session, "agent sent a Disconnect record: " + record.Disconnect.Reason);
                break;
            default:
                // session_context (E2E sessions), STOMP and UDS connect records: not offered by this controller.
                UspTelemetry.CountIgnored("unsupported_record_type");
                UspLog.RecordIgnored(logger, session.EndpointId, "unsupported record type " + record.RecordTypeCase);
                break;
        }
    }

    private async ValueTask HandleMessageAsync(AgentSession session, Msg msg, CancellationToken cancellationToken)
    {
        UspTelemetry.CountMessage(MsgTypeNames.Of(msg.Header.MsgType), "received");
        switch (msg.Body.MsgBodyCase)
        {
            case Body.MsgBodyOneofCase.Response:
            case Body.MsgBodyOneofCase.Error:
                if (!session.TryComplete(msg.Header.MsgId, msg))
                {
                    // A duplicate, a late answer after a timeout, or an answer to a request sent on a replaced connection.
                    UspTelemetry.CountIgnored("unmatched_response");
                    UspLog.RecordIgnored(logger, session.EndpointId, "response to no pending request " + msg.Header.MsgId);
                }
                break;
            case Body.MsgBodyOneofCase.Request when msg.Body.Request.ReqTypeCase == Request.ReqTypeOneofCase.Notify:
                await notifyHandler.HandleAsync(session, msg.Header.MsgId, msg.Body.Request.Notify, cancellationToken).ConfigureAwait(false);
                break;
            default:
                // Agent-initiated Get/Set/Register...: this controller exposes no data model of its own.
                await notifyHandler.ReplyErrorAsync(session, msg.Header.MsgId, UspErrorCodes.NotSupported, "message not supported by this controller", cancellationToken).ConfigureAwait(false);
                break;
        }
    }
}

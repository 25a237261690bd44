using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages.Operate;
using Provisioning.Southbound.Usp.Onboarding;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Southbound.Usp.Telemetry;
using Provisioning.Usp.Messages;
using UspNotify = Provisioning.Usp.Messages.Notify;

namespace Provisioning.Southbound.Usp.Messages.Notify;

/// <summary>Notifications from agents: NotifyResp when asked, Boot!/Periodic!/OnBoardRequest to first contact, OperationComplete (and a
/// Boot! awaited after a firmware activation) to the waiting command.</summary>
internal sealed class NotifyHandler(FirstContact firstContact, OperationCompletions completions, AwaitedBoots boots, IOptions<UspOptions> options, ILogger<NotifyHandler> logger)
{
    private readonly string _controllerId = options.Value.EndpointId;

    public async ValueTask HandleAsync(AgentSession session, string msgId, UspNotify notify, CancellationToken cancellationToken)
    {
        // Answer first: an OnBoardRequest repeats until answered, and the agent's retry timer should stop.
        if (notify.SendResp) await ReplyAsync(session, msgId, notify.SubscriptionId, cancellationToken).ConfigureAwait(false);

        UspLog.Notification(logger, session.EndpointId, notify.NotificationCase.ToString());
        switch (notify.NotificationCase)
        {
            case UspNotify.NotificationOneofCase.Event when notify.Event.EventName == "Boot!":
                // Cause (LocalReboot, RemoteReboot, LocalFactoryReset, RemoteFactoryReset) tells the orchestrator
                // whether the agent came back with factory settings.
                firstContact.OnContact(session, "Boot!", notify.Event.Params.TryGetValue("Cause", out var cause) ? cause : "");
                // A firmware activation waiting for this reboot takes its version from it; any other Boot! is only a contact.
                boots.Announce(session, notify.Event.Params);
                break;
            case UspNotify.NotificationOneofCase.Event when notify.Event.EventName == "Periodic!":
                // CWMP's 2 PERIODIC: the agent is alive and reachable here; a contact report that starts no workflow.
                firstContact.OnContact(session, "Periodic!");
                break;
            case UspNotify.NotificationOneofCase.OnBoardReq:
                firstContact.OnContact(session, "OnBoardRequest");
                break;
            case UspNotify.NotificationOneofCase.OperComplete:
                if (!completions.Complete(session.EndpointId, notify.OperComplete))
                    UspTelemetry.CountIgnored("unmatched_operation_complete");
                break;
        }
    }

    private ValueTask ReplyAsync(AgentSession session, string msgId, string subscriptionId, CancellationToken cancellationToken)
    {
        var msg = new Msg
        {
            Header = new Header { MsgId = msgId, MsgType = Header.Types.MsgType.NotifyResp },
            Body = new Body { Response = new Response { NotifyResp = new NotifyResp { SubscriptionId = subscriptionId } } },
        };
        UspTelemetry.CountMessage("NotifyResp", "sent");
        return session.Link.SendAsync(RecordCodec.EncodeMsg(_controllerId, session.EndpointId, msg), cancellationToken);
    }

    public ValueTask ReplyErrorAsync(AgentSession session, string msgId, uint code, string message, CancellationToken cancellationToken)
    {
        var msg = new Msg
        {
            Header = new Header { MsgId = msgId, MsgType = Header.Types.MsgType.Error },
            Body = new Body { Error = new Error { ErrCode = code, ErrMsg = message } },
        };
        UspTelemetry.CountMessage("Error", "sent");
        return session.Link.SendAsync(RecordCodec.EncodeMsg(_controllerId, session.EndpointId, msg), cancellationToken);
    }
}

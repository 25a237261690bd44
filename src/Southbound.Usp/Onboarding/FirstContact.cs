using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Agents.Authentication;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Add;
using Provisioning.Southbound.Usp.Messages.Get;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Onboarding;

/// <summary>
/// Zero touch: on an agent's connect record, Boot! or OnBoardRequest, admit it against the inventory,
/// make sure it will announce every boot (a persistent Boot! subscription), read its identity and
/// report the contact to the orchestrator, which decides whether a workflow starts. Contacts of one
/// connection are handled one after another, and codes arriving meanwhile go into one report.
/// </summary>
internal sealed class FirstContact(
    AgentRegistry registry,
    UspRequester requester,
    DeviceContacts.DeviceContactsClient contacts,
    AgentDirectory directory,
    RefusedContacts refusals,
    IOptions<UspOptions> options,
    ILogger<FirstContact> logger)
{
    public const string SubscriptionTable = "Device.LocalAgent.Subscription.";
    public const string BootEvent = "Device.Boot!";
    /// <summary>TR-181: sent to each controller subscribed to it every Device.LocalAgent.Controller.{i}.PeriodicNotifInterval.</summary>
    public const string PeriodicEvent = "Device.LocalAgent.Periodic!";
    private static readonly TimeSpan OrchestratorTimeout = TimeSpan.FromSeconds(15);
    private readonly UspOptions _options = options.Value;

    public static readonly string[] IdentityParameters =
    [
        "Device.DeviceInfo.Manufacturer", "Device.DeviceInfo.ModelName", "Device.DeviceInfo.SoftwareVersion",
        "Device.DeviceInfo.HardwareVersion", "Device.DeviceInfo.SerialNumber", "Device.DeviceInfo.ManufacturerOUI",
        "Device.DeviceInfo.ProductClass",
    ];

    /// <summary>A contact event of the session's agent (a Boot! with its Cause argument): reported, after any still in hand.</summary>
    public void OnContact(AgentSession session, string eventCode, string? bootCause = null)
    {
        if (session.AddContactCode(eventCode, bootCause)) _ = Task.Run(() => ContactLoopAsync(session));
    }

    private async Task ContactLoopAsync(AgentSession session)
    {
        // The agent carries no trace context: each contact is a trace of its own, not a child of the
        // long-lived WebSocket request.
        Activity.Current = null;
        try
        {
            while (!session.IsClosed)
            {
                using var activity = UspTelemetry.Source.StartActivity("usp.contact", ActivityKind.Server);
                activity?.SetTag(UspTelemetry.AttrEndpointId, session.EndpointId);
                activity?.SetTag(UspTelemetry.AttrMtp, session.Mtp);

                if (session.Admission == AgentAdmission.Pending) await WhileOrchestratorAwayAsync(session, () => AdmitAsync(session)).ConfigureAwait(false);
                if (session.Admission != AgentAdmission.Admitted)
                {
                    activity?.SetTag("usp.admission", session.Admission.ToString());
                    session.AbandonContact();
                    return;
                }
                using var timeout = new CancellationTokenSource(_options.RequestTimeout);
                if (!session.BootSubscriptionChecked || session.Identity is null) await PrepareAsync(session, timeout.Token).ConfigureAwait(false);

                if (session.TakeContactCodes() is not var (codes, bootCause)) return;
                if (activity is not null)
                {
                    activity.DisplayName = codes.Contains("Boot!") ? "usp.Boot!" : codes.Contains("OnBoardRequest") ? "usp.OnBoardRequest" : "usp.first_contact";
                    activity.SetTag("usp.event_codes", string.Join(',', codes));
                    if (bootCause is not null) activity.SetTag("usp.boot_cause", bootCause);
                }
                await WhileOrchestratorAwayAsync(session, () => ReportAsync(session, codes, bootCause)).ConfigureAwait(false);
            }
            session.AbandonContact();
        }
        catch (Exception ex)
        {
            Activity.Current?.SetStatus(ActivityStatusCode.Error, ex.Message);
            UspLog.FirstContactFailed(logger, session.EndpointId, ex);
            session.AbandonContact();
        }
    }

    /// <summary>
    /// An agent announces itself once (Boot! is not repeated), so a contact the orchestrator could not take (an
    /// instance dying behind the load balancer, a restart) is retried with backoff while the agent stays connected.
    /// </summary>
    private static async Task WhileOrchestratorAwayAsync(AgentSession session, Func<Task> call)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await call().ConfigureAwait(false);
                return;
            }
            catch (global::Grpc.Core.RpcException e) when (!session.IsClosed && e.StatusCode is global::Grpc.Core.StatusCode.Unavailable
                                                       or global::Grpc.Core.StatusCode.DeadlineExceeded or global::Grpc.Core.StatusCode.Internal)
            {
                await Task.Delay(delay).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>
    /// Agents whose connection was not judged before it opened (MQTT: the broker carries any client's records): known to
    /// the inventory, and, as nothing here proves who published, managed only where unauthenticated agents are allowed.
    /// </summary>
    private async Task AdmitAsync(AgentSession session)
    {
        var lookup = await directory.LookupAsync(session.EndpointId, CancellationToken.None).ConfigureAwait(false);
        if (lookup.Registered && (session.Credential != ContactCredential.Unspecified || _options.Auth.AllowUnauthenticatedAgents))
        {
            session.Admission = AgentAdmission.Admitted;
            return;
        }
        if (!lookup.Registered && _options.QuarantineUnknownAgents)
        {
            session.Admission = AgentAdmission.Quarantined;
            UspLog.UnknownAgent(logger, session.EndpointId, "quarantined");
            return;
        }
        session.Admission = AgentAdmission.Refused;
        if (lookup.Registered)
            refusals.Refused(session.EndpointId, session.Mtp, RefusalReason.NotAuthenticated,
                "the MTP carries no agent credential (Usp:Auth:AllowUnauthenticatedAgents is off)", session.RemoteAddress);
        else
            refusals.Refused(session.EndpointId, session.Mtp, RefusalReason.UnknownDevice, "endpoint id not in the inventory", session.RemoteAddress);
        if (session.Mtp == Transport.WebSocket.WebSocketAgentLink.MtpName)
        {
            registry.Disconnect(session, "refused");
            await session.Link.CloseAsync("refused").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One Get reads the identity, the Controller table (to know which entry is this controller's) and the subscription
    /// table; an Add creates each of this controller's subscriptions that is missing: Boot! (the agent announces every
    /// boot) and Periodic! (it reports at the PeriodicNotifInterval a plan sets, as a CWMP CPE's periodic Inform).
    /// Agents differ: one that refuses the combined Get is asked for Device.DeviceInfo. alone, and one that refuses a
    /// subscription is still provisioned now (it only won't announce its next boots, or report periodically).
    /// </summary>
    private async Task PrepareAsync(AgentSession session, CancellationToken cancellationToken)
    {
        GetResult result;
        try
        {
            result = await requester.GetAsync(session, [.. IdentityParameters, Grpc.OwnController.Table, SubscriptionTable], cancellationToken).ConfigureAwait(false);
            session.OwnControllerPath ??= Grpc.OwnController.FindIn(result.Values, _options.EndpointId);
        }
        catch (UspErrorException ex)
        {
            UspLog.OnboardingStepRefused(logger, session.EndpointId, "Get of its identity and subscriptions", ex.Code, ex.ErrorMessage);
            result = await requester.GetAsync(session, ["Device.DeviceInfo."], cancellationToken).ConfigureAwait(false);
        }
        session.Identity = IdentityFrom(session, result.Values);
        if (!HasSubscription(result.Values, "Event", BootEvent, session.OwnControllerPath))
        {
            // Only once the Add succeeded is "missing" news: an agent that refuses the subscription is missing it at
            // every connection, and the orchestrator would take each for a factory reset.
            session.BootSubscriptionMissing = false;
            if (await SubscribeAsync(session, _options.BootSubscriptionId, BootEvent, cancellationToken).ConfigureAwait(false))
                session.BootSubscriptionMissing = true;
        }
        if (!HasSubscription(result.Values, "Event", PeriodicEvent, session.OwnControllerPath))
            await SubscribeAsync(session, _options.PeriodicSubscriptionId, PeriodicEvent, cancellationToken).ConfigureAwait(false);
        session.BootSubscriptionChecked = true;
    }

    /// <summary>A persistent Event subscription of this controller (the agent sets its Recipient to the controller that adds it).</summary>
    private async Task<bool> SubscribeAsync(AgentSession session, string id, string referenceList, CancellationToken cancellationToken)
    {
        try
        {
            await AddSubscriptionAsync(requester, session, id, "Event", referenceList, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (UspRequestException ex) when (ex is UspErrorException or UspProtocolViolationException)
        {
            UspLog.OnboardingStepRefused(logger, session.EndpointId, $"Add of the {referenceList} subscription", ex.Code, ex.Message);
            Activity.Current?.AddEvent(new ActivityEvent("usp.subscription_refused", tags: new ActivityTagsCollection
            {
                [UspTelemetry.AttrErrorCode] = (long)ex.Code,
                ["usp.subscription.reference"] = referenceList,
            }));
            return false;
        }
    }

    /// <summary>Adds a persistent subscription of this controller (NotifType Event, OperationComplete...).</summary>
    public static Task AddSubscriptionAsync(UspRequester requester, AgentSession session, string id, string notifType, string referenceList, CancellationToken cancellationToken) =>
        requester.AddAsync(session, SubscriptionTable,
        [
            new("Enable", "true"),
            new("ID", id),
            new("NotifType", notifType),
            new("ReferenceList", referenceList),
            new("Persistent", "true"),
        ], cancellationToken);

    /// <summary>
    /// An enabled subscription of <paramref name="notifType"/> to <paramref name="path"/> whose recipient is this
    /// controller: another controller's Boot! subscription sends that controller the event, not this one. A Recipient is
    /// taken as ours when the agent leaves it empty or our entry is not known. An OperationComplete subscription naming
    /// an object covers the commands under it (TR-181 Subscription.ReferenceList); an Event one must name the event.
    /// </summary>
    public static bool HasSubscription(IReadOnlyDictionary<string, string> values, string notifType, string path, string? ownController)
    {
        foreach (var (name, value) in values)
        {
            if (!name.StartsWith(SubscriptionTable, StringComparison.Ordinal) || !name.EndsWith(".ReferenceList", StringComparison.Ordinal)) continue;
            if (!value.Split(',', StringSplitOptions.TrimEntries).Any(r => r == path
                || (notifType == "OperationComplete" && r.EndsWith('.') && path.StartsWith(r, StringComparison.Ordinal)))) continue;
            var instance = name[..^"ReferenceList".Length];
            if (ownController is not null && values.TryGetValue(instance + "Recipient", out var recipient) && recipient.Length > 0
                && !string.Equals(recipient.TrimEnd('.') + ".", ownController, StringComparison.Ordinal))
                continue;
            if (values.TryGetValue(instance + "NotifType", out var type) && type == notifType
                && (!values.TryGetValue(instance + "Enable", out var enabled) || enabled is "true" or "1"))
                return true;
        }
        return false;
    }

    public static DeviceIdentity IdentityFrom(AgentSession session, IReadOnlyDictionary<string, string> values)
    {
        string Value(string name) => values.TryGetValue("Device.DeviceInfo." + name, out var v) ? v : "";
        return new DeviceIdentity
        {
            Device = new DeviceRef
            {
                SerialNumber = Value("SerialNumber"),
                Oui = Value("ManufacturerOUI"),
                ProductClass = Value("ProductClass"),
                Protocol = DeviceProtocol.Usp,
                EndpointId = session.EndpointId,
            },
            Manufacturer = Value("Manufacturer"),
            Model = Value("ModelName"),
            FirmwareVersion = Value("SoftwareVersion"),
            HardwareVersion = Value("HardwareVersion"),
            DataModelRoot = "Device.",
            Endpoint = session.Mtp,
        };
    }

    private async Task ReportAsync(AgentSession session, string[] codes, string? bootCause)
    {
        var missing = session.BootSubscriptionMissing;
        var report = new DeviceContactReport
        {
            Identity = session.Identity,
            AdapterAddress = _options.GrpcUrl,
            Credential = session.Credential,
            BootCause = bootCause ?? "",
            BootSubscriptionMissing = missing,
            RemoteAddress = session.RemoteAddress ?? "",
        };
        report.EventCodes.AddRange(codes);
        var decision = await contacts.ReportDeviceContactAsync(report, deadline: DateTime.UtcNow + OrchestratorTimeout).ConfigureAwait(false);
        // Said once: the next contact of this connection finds the subscription the controller added.
        if (missing) session.BootSubscriptionMissing = false;
        UspLog.ContactReported(logger, session.EndpointId, string.Join(',', codes), decision.Action.ToString(), decision.WorkflowId);
        if (decision.Action == ContactAction.Refuse)
        {
            UspLog.ContactRefusedByPolicy(logger, session.EndpointId);
            session.Admission = AgentAdmission.Refused;
            registry.Disconnect(session, "refused by the orchestrator");
            await session.Link.CloseAsync("refused").ConfigureAwait(false);
        }
    }
}

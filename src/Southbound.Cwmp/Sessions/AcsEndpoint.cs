using Provisioning.ServiceDefaults.Telemetry;
using System.Buffers;
using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Soap;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// The ACS's HTTP endpoint. Each POST is one step of a session: the Inform opens it (and sets the session
/// cookie), CPE requests are answered, the empty POST hands the turn to the ACS, and every later POST
/// carries the answer to the previous RPC and receives the next one, until an HTTP 204 ends the session.
/// </summary>
public sealed class AcsEndpoint(
    CpeSessionRegistry sessions,
    KnownDevices devices,
    CpeAuthenticator authenticator,
    DeviceCredentialStore credentialStore,
    DeviceContacts.DeviceContactsClient contacts,
    TransferOutcomes transfers,
    CwmpOptions options,
    TimeProvider time,
    ILogger<AcsEndpoint> logger)
{
    public const string CookieName = "cwmp-session";

    private static readonly string[] AcsRpcMethods = ["Inform", "GetRPCMethods", "TransferComplete", "AutonomousTransferComplete", "RequestDownload"];
    private readonly CwmpReaderLimits limits = new() { MaxCharacters = options.MaxEnvelopeBytes };
    private readonly string adapterAddress = options.AdapterAddress ?? options.GrpcUrl;

    public async Task HandleAsync(HttpContext context)
    {
        var arrival = Arrive(context);
        if (arrival.ByCookie is null && arrival.ByConnection is null && sessions.Count >= options.MaxSessions)
        {
            // Over capacity: refuse the new session before reading anything (the CPE retries later). The count is
            // checked again, atomically, when the session is opened.
            RefuseOverCapacity(context);
            return;
        }
        if (ChallengedBeforeReading(context, arrival)) return;

        var (answered, envelope) = await ReadEnvelopeAsync(context, arrival.ByCookie).ConfigureAwait(false);
        if (answered) return;
        if (envelope?.Body is Inform bounded && InformBounds.Violation(bounded) is { } violation)
        {
            await RefuseUnboundedInformAsync(context, envelope, violation).ConfigureAwait(false);
            return;
        }

        (answered, var credential) = await AuthenticateAsync(context, envelope, arrival).ConfigureAwait(false);
        if (answered) return;

        var session = Resume(context, envelope, arrival);
        await DispatchAsync(context, envelope, session, credential).ConfigureAwait(false);
    }

    /// <summary>
    /// The sessions a request may belong to, known before its body is read: the one its cookie names, or (for a request
    /// without any cookie) the one last used on its TCP connection. <see cref="Continued"/>: the session vouches for the
    /// request, as it was authenticated (or last authenticated again) on this connection.
    /// </summary>
    private readonly record struct Arrival(CwmpSession? ByCookie, CwmpSession? ByConnection, bool Continued);

    private Arrival Arrive(HttpContext context)
    {
        var request = context.Request;
        // By cookie; a request without any cookie may continue the session of its TCP connection (decided in Resume).
        var cookieless = request.Headers.Cookie.Count == 0;
        var session = cookieless ? null : sessions.FindById(request.Cookies[CookieName]);
        var connectionSession = cookieless ? sessions.FindByConnection(context.Connection.Id) : null;
        // A session vouches for the connection it was authenticated (or last authenticated again) on. Its cookie from
        // another connection is not enough: a cookie is easily copied, a connection is not.
        var continued = connectionSession is not null || (session is not null && session.ConnectionId == context.Connection.Id);
        return new Arrival(session, connectionSession, continued);
    }

    /// <summary>
    /// The authentication precheck of a request its session does not vouch for, before the body is read. True when it
    /// answered the request (a challenge, a refusal, or 503).
    /// </summary>
    private bool ChallengedBeforeReading(HttpContext context, Arrival arrival)
    {
        if (!options.Auth.Enabled || arrival.Continued || authenticator.Precheck(context) is not { } early) return false;
        if (arrival.ByCookie is { } session && !early.Stale && context.Request.Headers.Authorization.Count == 0
            && session.RemoteAddress != CpeAuthenticator.RemoteAddress(context))
            authenticator.ReportForeignCookie(context, session.SerialNumber, session.EventCodes);
        Answer(context, early);
        return true;
    }

    /// <summary>
    /// Reads the body (at most MaxEnvelopeBytes) and parses it: a null envelope for the empty POST. Answered when the
    /// request got its answer here instead (413, 400 for broken framing, a fault for an envelope that does not parse,
    /// in the namespace of <paramref name="session"/> when there is one).
    /// </summary>
    private async Task<(bool Answered, CwmpEnvelope? Envelope)> ReadEnvelopeAsync(HttpContext context, CwmpSession? session)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (request.ContentLength > options.MaxEnvelopeBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return (true, null);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 256, options.MaxEnvelopeBytes + 1L));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > options.MaxEnvelopeBytes) break;
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxEnvelopeBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    // Broken framing (a chunk size of 2^80, which Kestrel reports as an IOException around an overflow; a
                    // truncated chunk): the client's mistake, one log line, no stack trace.
                    CwmpLog.BodyRejected(logger, context.Connection.RemoteIpAddress?.ToString(), ex.Message);
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return (true, null);
                }
                if (read == 0) break;
                length += read;
            }
            if (length > options.MaxEnvelopeBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return (true, null);
            }
            if (IsBlank(buffer.AsSpan(0, length))) return (false, null);
            try
            {
                return (false, CwmpReader.Read(buffer.AsMemory(0, length), limits));
            }
            catch (CwmpProtocolException ex)
            {
                CwmpLog.EnvelopeRejected(logger, context.Connection.RemoteIpAddress?.ToString(), (uint)ex.FaultCode, Printable(ex.Message));
                CwmpTelemetry.RecordFault((uint)ex.FaultCode, "?");
                // In the namespace the CPE used, when its envelope got as far as naming one.
                var ns = session?.CwmpNamespace ?? CwmpNamespaces.Declared(buffer.AsSpan(0, length)) ?? CwmpNamespaces.Cwmp10;
                // The reader's message may quote the offending character (&#1; becomes U+0001), which XML cannot carry.
                var fault = CwmpFault.Acs(ex.FaultCode, Printable(ex.Message));
                if (ex.SoapFaultCode is { } soapFaultCode) fault = fault with { SoapFaultCode = soapFaultCode };
                await WriteAsync(context, new CwmpEnvelope(ns, CwmpHeader.Empty, fault), StatusCodes.Status400BadRequest).ConfigureAwait(false);
                return (true, null);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An Inform out of bounds: refused before any lookup, session or log line names the device, as its text is not fit to be repeated.</summary>
    private async Task RefuseUnboundedInformAsync(HttpContext context, CwmpEnvelope envelope, string violation)
    {
        CwmpLog.EnvelopeRejected(logger, context.Connection.RemoteIpAddress?.ToString(), (uint)AcsFaultCode.InvalidArguments, violation);
        CwmpTelemetry.RecordFault((uint)AcsFaultCode.InvalidArguments, "Inform");
        await WriteAsync(context, new CwmpEnvelope(envelope.CwmpNamespace, new CwmpHeader { Id = SafeId(envelope.Header.Id) },
            CwmpFault.Acs(AcsFaultCode.InvalidArguments, "Inform refused: " + violation)), StatusCodes.Status400BadRequest).ConfigureAwait(false);
    }

    /// <summary>
    /// Authenticates the request when authentication is on: an Inform as the device it names, a session's cookie from
    /// another connection as the session's device, a request outside any session by its username alone. A request its
    /// session vouches for is not checked again (a Digest header it carries anyway is observed). Answered when it did not
    /// authenticate (a challenge, or 503); otherwise the credential it authenticated with, if it was asked for one.
    /// </summary>
    private async Task<(bool Answered, CpeCredential? Credential)> AuthenticateAsync(HttpContext context, CwmpEnvelope? envelope, Arrival arrival)
    {
        if (!options.Auth.Enabled) return (false, null);
        var session = arrival.ByCookie;
        CpeAuthResult? result = null;
        if (envelope?.Body is Inform inform)
        {
            // Every Inform opens a session, so it authenticates, as the device it names.
            var eventCodes = inform.Events.Select(e => e.EventCode).ToArray();
            // A device that bootstraps again (a factory reset) starts over: what was cached about it may no longer hold.
            if (Array.IndexOf(eventCodes, "0 BOOTSTRAP") >= 0) credentialStore.Forget(inform.DeviceId.SerialNumber);
            result = await authenticator.AuthenticateDeviceAsync(context, DeviceRefOf(inform), eventCodes).ConfigureAwait(false);
        }
        else if (!arrival.Continued && session is not null)
        {
            // The session's cookie on another connection: the credentials must be the session's device's.
            result = await authenticator.AuthenticateDeviceAsync(context, session.Identity.Device, session.EventCodes, session.Credential)
                .ConfigureAwait(false);
        }
        else if (!arrival.Continued)
        {
            result = await authenticator.AuthenticateUserAsync(context).ConfigureAwait(false);
        }
        else if ((session ?? arrival.ByConnection)?.Credential is { } vouched && context.Request.Headers.Authorization.Count > 0)
        {
            authenticator.Observe(context, vouched);
        }
        if (result is not { } r) return (false, null);
        if (r.Outcome != CpeAuthOutcome.Succeeded)
        {
            Answer(context, r);
            return (true, null);
        }
        return (false, r.Credential);
    }

    /// <summary>
    /// The session the request continues, touched and now bound to this connection. An Inform on a connection's session
    /// starts a new session (a connection may be shared: a proxy's kept-alive upstream carries many CPEs); anything else
    /// continues the connection's session.
    /// </summary>
    private CwmpSession? Resume(HttpContext context, CwmpEnvelope? envelope, Arrival arrival)
    {
        var session = arrival.ByConnection is not null && envelope?.Body is not Inform ? arrival.ByConnection : arrival.ByCookie;
        if (session is not null)
        {
            session.Touch();
            sessions.BindConnection(session, context.Connection.Id);
        }
        return session;
    }

    /// <summary>Answers the request by what it carries: the empty POST, an Inform, another ACS method, or the CPE's answer to an RPC.</summary>
    private async Task DispatchAsync(HttpContext context, CwmpEnvelope? envelope, CwmpSession? session, CpeCredential? credential)
    {
        switch (envelope?.Body)
        {
            case null:
                // The empty POST: the CPE has nothing more to say; the ACS may now send its RPCs.
                if (session is null) context.Response.StatusCode = StatusCodes.Status204NoContent;
                else await SendNextAsync(context, session).ConfigureAwait(false);
                break;
            case Inform inform:
                await OnInformAsync(context, envelope, inform, session, credential).ConfigureAwait(false);
                break;
            case TransferComplete transfer when session is not null:
                await OnTransferCompleteAsync(context, envelope, transfer, session).ConfigureAwait(false);
                break;
            case AutonomousTransferComplete or GetRpcMethods or RequestDownload when session is not null:
                CwmpMessage answer = envelope.Body switch
                {
                    AutonomousTransferComplete => new AutonomousTransferCompleteResponse(),
                    GetRpcMethods => new GetRpcMethodsResponse(AcsRpcMethods),
                    _ => new RequestDownloadResponse(),
                };
                await WriteAsync(context, new CwmpEnvelope(session.CwmpNamespace, new CwmpHeader { Id = envelope.Header.Id }, answer), StatusCodes.Status200OK)
                    .ConfigureAwait(false);
                break;
            case TransferComplete or AutonomousTransferComplete or GetRpcMethods or RequestDownload:
                await WriteAsync(context, new CwmpEnvelope(envelope.CwmpNamespace, new CwmpHeader { Id = envelope.Header.Id },
                    CwmpFault.Acs(AcsFaultCode.InvalidArguments, "No session: a session starts with an Inform")), StatusCodes.Status400BadRequest).ConfigureAwait(false);
                break;
            case var answerToAcs when answerToAcs is CwmpFault || answerToAcs.MethodName.EndsWith("Response", StringComparison.Ordinal):
                if (session is null)
                {
                    // The session it belonged to is gone (timed out or superseded): nothing more to do.
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return;
                }
                // Matched by session, not by cwmp:ID: there is at most one RPC in flight, and some CPEs do not echo the ID.
                if (session.CompleteInFlight(answerToAcs) is null) CwmpLog.UnexpectedMessage(logger, session.Id, answerToAcs.MethodName);
                await SendNextAsync(context, session).ConfigureAwait(false);
                break;
            case var other:
                CwmpTelemetry.RecordFault((uint)AcsFaultCode.MethodNotSupported, other.MethodName);
                await WriteAsync(context, new CwmpEnvelope(session?.CwmpNamespace ?? envelope.CwmpNamespace, new CwmpHeader { Id = envelope.Header.Id },
                    CwmpFault.Acs(AcsFaultCode.MethodNotSupported, $"{other.MethodName} is not an ACS method")), StatusCodes.Status500InternalServerError)
                    .ConfigureAwait(false);
                break;
        }
    }

    private async Task OnInformAsync(HttpContext context, CwmpEnvelope envelope, Inform inform, CwmpSession? previous, CpeCredential? credential)
    {
        var serial = inform.DeviceId.SerialNumber;
        var identity = DeviceIdentityFactory.FromInform(inform);
        var eventCodes = new string[inform.Events.Count];
        for (var i = 0; i < eventCodes.Length; i++) eventCodes[i] = inform.Events[i].EventCode;

        var outer = Activity.Current;
        var activity = CwmpTelemetry.Source.StartActivity("cpe.inform", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(CpeSpanAttributes.SerialNumber, serial);
            activity.SetTag("cpe.oui", identity.Device.Oui);
            activity.SetTag("cpe.product_class", identity.Device.ProductClass);
            activity.SetTag("cpe.manufacturer", identity.Manufacturer);
            activity.SetTag("cpe.model", identity.Model);
            activity.SetTag("cpe.firmware_version", identity.FirmwareVersion);
            activity.SetTag("cpe.event_codes", eventCodes);
            activity.SetTag("cwmp.namespace", envelope.CwmpNamespace);
        }

        var session = new CwmpSession(CpeSessionRegistry.NewSessionId(), serial, identity, envelope.CwmpNamespace, eventCodes,
            credential ?? previous?.Credential, CpeAuthenticator.RemoteAddress(context), time);
        if (!sessions.TryOpen(session, options.MaxSessions))
        {
            activity?.SetStatus(ActivityStatusCode.Error, "ACS over capacity");
            activity?.Dispose();
            Activity.Current = outer;
            RefuseOverCapacity(context);
            return;
        }
        sessions.BindConnection(session, context.Connection.Id);
        devices.Remember(identity);
        CwmpTelemetry.RecordInformEvents(eventCodes);
        CwmpLog.InformReceived(logger, serial, identity.Device.Oui, identity.Device.ProductClass, string.Join(", ", eventCodes), session.Id);
        activity?.SetTag("cwmp.session_id", session.Id);

        // The report runs while the CPE gets its InformResponse at once: an orchestrator slowed by a storm then
        // costs the CPE no round trip, and the decision is only needed when the CPE's empty POST asks for work.
        // It is made inside the cpe.inform span (current here), so a workflow the orchestrator starts becomes its child.
        session.ContactReported = ReportContactAsync(session, eventCodes, activity);
        Activity.Current = outer;

        var header = new CwmpHeader
        {
            Id = envelope.Header.Id,
            UseCwmpVersion = envelope.Header.SupportedCwmpVersions is { } supported ? CwmpNamespaces.NegotiateVersion(supported) : null,
        };
        context.Response.Cookies.Append(CookieName, session.Id, new CookieOptions { HttpOnly = true, Path = "/", IsEssential = true });
        await WriteAsync(context, new CwmpEnvelope(session.CwmpNamespace, header, new InformResponse(1)), StatusCodes.Status200OK).ConfigureAwait(false);
    }

    /// <summary>
    /// A transfer's outcome (usually in the session after the Download's, once the CPE rebooted): handed to the
    /// DownloadFirmware call waiting for it, whose workflow then holds this session, or kept for the call that will ask
    /// again. Always answered, so the CPE stops repeating it; a malformed one gets 8003 and changes nothing.
    /// </summary>
    private async Task OnTransferCompleteAsync(HttpContext context, CwmpEnvelope envelope, TransferComplete transfer, CwmpSession session)
    {
        var header = new CwmpHeader { Id = envelope.Header.Id };
        if (TransferCompleteBounds.Violation(transfer) is { } violation)
        {
            CwmpLog.EnvelopeRejected(logger, context.Connection.RemoteIpAddress?.ToString(), (uint)AcsFaultCode.InvalidArguments, violation);
            CwmpTelemetry.RecordFault((uint)AcsFaultCode.InvalidArguments, transfer.MethodName);
            await WriteAsync(context, new CwmpEnvelope(session.CwmpNamespace, header,
                CwmpFault.Acs(AcsFaultCode.InvalidArguments, "TransferComplete refused: " + violation)), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        using (var activity = CwmpTelemetry.Source.StartActivity("cpe.transfer_complete", ActivityKind.Internal))
        {
            var reported = new ReportedTransfer(transfer, session.Identity.FirmwareVersion, session.Identity.DataModelRoot);
            var awaited = transfers.Report(session.SerialNumber, reported, session);
            CwmpTelemetry.RecordTransfer(transfer.Fault.FaultCode, awaited);
            CwmpLog.TransferCompleted(logger, session.SerialNumber, transfer.CommandKey, transfer.Fault.FaultCode, awaited, session.Id);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(CpeSpanAttributes.SerialNumber, session.SerialNumber);
                activity.SetTag(CwmpTelemetry.CommandKey, transfer.CommandKey);
                activity.SetTag(CwmpTelemetry.TransferFaultCode, (long)transfer.Fault.FaultCode);
                activity.SetTag("cpe.firmware_version", session.Identity.FirmwareVersion);
                activity.SetTag("cwmp.session_id", session.Id);
                activity.SetTag("cwmp.transfer_awaited", awaited);
            }
        }
        await WriteAsync(context, new CwmpEnvelope(session.CwmpNamespace, header, new TransferCompleteResponse()), StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private async Task ReportContactAsync(CwmpSession session, string[] eventCodes, Activity? activity)
    {
        try
        {
            var report = new DeviceContactReport
            {
                Identity = session.Identity,
                AdapterAddress = adapterAddress,
                Credential = session.Credential?.Kind ?? ContactCredential.Unspecified,
                RemoteAddress = session.RemoteAddress ?? "",
            };
            report.EventCodes.Add(eventCodes);
            var decision = await contacts.ReportDeviceContactAsync(report, deadline: DateTime.UtcNow.Add(options.ContactReportTimeout))
                .ConfigureAwait(false);
            if (decision.Action == ContactAction.Refuse)
            {
                // The orchestrator's policy: the session ends with 204 at the CPE's empty POST, and nothing may be queued for it.
                CwmpLog.ContactRefused(logger, session.SerialNumber, session.Id);
                activity?.SetTag("cwmp.contact_refused", true);
                sessions.Close(session, "contact refused by the orchestrator");
            }
            else if (decision.Action == ContactAction.Provision)
            {
                session.Hold(decision.WorkflowId);
                activity?.SetTag(CpeSpanAttributes.WorkflowId, decision.WorkflowId);
            }
        }
        catch (RpcException ex)
        {
            CwmpLog.ContactReportFailed(logger, ex, session.SerialNumber);
            activity?.SetStatus(ActivityStatusCode.Error, "ReportDeviceContact failed");
            // Unknown answer: the orchestrator may still have started a workflow (a slow answer, not a refusal).
            // For the contacts that can start one, keep the session for it; the hold timeout bounds the cost.
            if (Array.Exists(eventCodes, c => c is "0 BOOTSTRAP" or "1 BOOT")) session.Hold(null);
            session.ContactUnreported = true;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>
    /// The ACS's turn: send the next queued RPC; when none is queued and a workflow holds the session, keep
    /// this response waiting (bounded: the hold timeout before the first RPC, the idle grace after one) for the
    /// workflow's next RPC; otherwise end the session with 204.
    /// </summary>
    private async Task SendNextAsync(HttpContext context, CwmpSession session)
    {
        if (!session.ContactReported.IsCompleted)
        {
            try
            {
                await session.ContactReported.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the CPE went away
            }
        }
        while (true)
        {
            if (session.TryStartNext() is { } rpc)
            {
                session.Touch();
                await WriteAsync(context, new CwmpEnvelope(session.CwmpNamespace, new CwmpHeader { Id = rpc.Id }, rpc.Request), StatusCodes.Status200OK)
                    .ConfigureAwait(false);
                return;
            }
            if (!session.ShouldHold) break;
            session.Touch();
            var wait = session.HasSentRpc ? options.IdleGrace : options.HoldTimeout;
            if (!await session.WaitForWorkAsync(wait, context.RequestAborted).ConfigureAwait(false)) break;
        }
        sessions.Close(session, session.CloseReason ?? "ended by the ACS");
        if (session.ContactUnreported && !session.HasSentRpc && session.EventCodes.Any(c => c is "0 BOOTSTRAP" or "1 BOOT"))
        {
            // The orchestrator never heard of this bootstrap and no workflow came for it: fail the session so the
            // CPE retries it with the same events (a CPE keeps undelivered events until a session succeeds),
            // rather than end it cleanly and lose the bootstrap for good.
            OrchestratorAway(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Answers a request that did not authenticate: a challenge, or 503 when credentials could not be looked up.</summary>
    private void Answer(HttpContext context, CpeAuthResult result)
    {
        if (result.Outcome == CpeAuthOutcome.Unavailable) OrchestratorAway(context);
        else authenticator.Challenge(context, result.Stale);
    }

    private static DeviceRef DeviceRefOf(Inform inform) => new()
    {
        SerialNumber = inform.DeviceId.SerialNumber, Oui = inform.DeviceId.Oui, ProductClass = inform.DeviceId.ProductClass, Protocol = DeviceProtocol.Cwmp,
    };

    /// <summary>The orchestrator could not be asked or told about the device just now: the CPE retries shortly.</summary>
    private static void OrchestratorAway(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "10";
    }

    private void RefuseOverCapacity(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WriteAsync(HttpContext context, CwmpEnvelope envelope, int statusCode)
    {
        using var stream = new MemoryStream(1024);
        CwmpWriter.Write(stream, envelope);
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/xml; charset=utf-8";
        response.ContentLength = stream.Length;
        await response.Body.WriteAsync(stream.GetBuffer().AsMemory(0, (int)stream.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The text with every control character shown as U+XXXX: fit for a log line and an XML fault string.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text) sb.Append(char.IsControl(c) ? $"U+{(int)c:X4}" : c);
        return sb.ToString();
    }

    /// <summary>A cwmp:ID fit to echo (string(32) in A.4.1; bounded here rather than repeated at any length).</summary>
    private static string? SafeId(string? id) => id is { Length: <= InformBounds.EventCode } && !id.Any(char.IsControl) ? id : null;

    private static bool IsBlank(ReadOnlySpan<byte> body) => body.IndexOfAnyExcept(" \t\r\n"u8) < 0;
}

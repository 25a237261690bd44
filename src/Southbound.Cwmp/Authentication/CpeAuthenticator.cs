using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

public enum CpeAuthOutcome
{
    Succeeded,
    /// <summary>No, stale or refused credentials: answer 401 with a challenge.</summary>
    Challenge,
    /// <summary>The orchestrator could not be asked: answer 503.</summary>
    Unavailable,
}

public readonly record struct CpeAuthResult(CpeAuthOutcome Outcome, CpeCredential? Credential = null, bool Stale = false);

/// <summary>
/// HTTP authentication of CPEs: Digest (MD5, qop=auth or the RFC 2069 form) always offered, Basic when configured and
/// the request came over TLS (or plain HTTP is allowed too). Digest nonces are issued and remembered by
/// <see cref="DigestNonces"/> (bound to the client address, expiring, nonce counts tracked against replay). A contact
/// is authenticated as the device it names: its Inform's serial number, or the session it continues; every refusal
/// is counted (cwmp.auth.failures), logged and reported to the orchestrator. The Digest "uri" is taken as the client
/// sent it (CPEs behind proxies disagree with us about it) — it is covered by the response hash.
/// </summary>
public sealed class CpeAuthenticator(DeviceCredentialStore credentials, DigestNonces nonces, RefusedContactReporter refusals, CwmpOptions options,
    ILogger<CpeAuthenticator> logger)
{
    private readonly string opaque = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>The Authorization header as presented: Basic (username, password) or Digest (its parameters).</summary>
    private sealed record Presented(bool IsDigest, string Username, string? Password, Dictionary<string, string>? Digest)
    {
        public string Nonce => Digest!.GetValueOrDefault("nonce") ?? "";
        public string? Qop => Digest!.GetValueOrDefault("qop") is { Length: > 0 } q ? q : null;
    }

    /// <summary>
    /// Before the body is read: a request without credentials is challenged (the normal first step, not a failure), a
    /// Digest answer to a nonce we do not know (any more) gets a stale challenge, and Basic where it is not allowed is
    /// refused. Null when the credentials are worth checking against the device the body names.
    /// </summary>
    public CpeAuthResult? Precheck(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            var nonce = DigestHeader.ParseParameters(header.AsSpan(7)).GetValueOrDefault("nonce") ?? "";
            return nonces.Check(nonce) == NonceState.Valid ? null : new CpeAuthResult(CpeAuthOutcome.Challenge, Stale: true);
        }
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return BasicAllowed(context.Request) ? null : Fail(context, "?", "basic_not_allowed", BasicRefusal(context.Request));
        return new CpeAuthResult(CpeAuthOutcome.Challenge);
    }

    /// <summary>
    /// Authenticates the request as <paramref name="device"/> (the serial number its Inform names, or the session it
    /// continues from another connection): with one of the device's own credentials, its previous one while that is
    /// offered, its bootstrap secret, or the shared bootstrap credential where the orchestrator allows it. A session's
    /// own <paramref name="sessionCredential"/> is tried first (no lookup).
    /// </summary>
    public async Task<CpeAuthResult> AuthenticateDeviceAsync(HttpContext context, DeviceRef device, IReadOnlyList<string>? eventCodes,
        CpeCredential? sessionCredential = null)
    {
        if (Parse(context) is not { } presented) return new CpeAuthResult(CpeAuthOutcome.Challenge);
        if (presented.Username.Length == 0) return Fail(context, "?", "malformed", "malformed credentials");
        if (Malformed(context, presented) is { } malformed) return malformed;
        var serial = device.SerialNumber;
        try
        {
            CpeCredential? match = sessionCredential is not null && Verifies(context, presented, sessionCredential) ? sessionCredential : null;
            for (var attempt = 0; match is null; attempt++)
            {
                var admission = await credentials.ForDeviceAsync(device, context.RequestAborted).ConfigureAwait(false);
                match = admission.Accepted.FirstOrDefault(c => Verifies(context, presented, c));
                if (match is not null) break;
                var (reason, detail, stale) = await ClassifyAsync(context, presented, admission, serial).ConfigureAwait(false);
                if (stale && attempt == 0)
                {
                    // The username is this device's by the inventory, but the cached answer about the device says
                    // otherwise: its credential changed meanwhile. Ask again once.
                    credentials.Forget(serial);
                    continue;
                }
                return Refuse(context, serial, presented.Username, reason, detail, eventCodes);
            }
            return UseNonce(context, presented, match, eventCodes);
        }
        catch (RpcException)
        {
            return new CpeAuthResult(CpeAuthOutcome.Unavailable);
        }
    }

    /// <summary>A request that names no device (no session, no Inform): by the username alone.</summary>
    public async Task<CpeAuthResult> AuthenticateUserAsync(HttpContext context)
    {
        if (Parse(context) is not { } presented) return new CpeAuthResult(CpeAuthOutcome.Challenge);
        if (presented.Username.Length == 0) return Fail(context, "?", "malformed", "malformed credentials");
        if (Malformed(context, presented) is { } malformed) return malformed;
        try
        {
            var credential = await credentials.FindByUsernameAsync(presented.Username, context.RequestAborted).ConfigureAwait(false);
            if (credential is null) return Refuse(context, null, presented.Username, RefusalReason.UnknownDevice, "unknown user", null);
            if (!Verifies(context, presented, credential))
                return Refuse(context, credential.SerialNumber, presented.Username, RefusalReason.WrongPassword, "wrong password", null);
            return UseNonce(context, presented, credential, null);
        }
        catch (RpcException)
        {
            return new CpeAuthResult(CpeAuthOutcome.Unavailable);
        }
    }

    /// <summary>
    /// A request its session already vouches for (its own connection) that carries a Digest header anyway: its nonce
    /// count is noted, so that header cannot be replayed later as the Inform of a new session. Nothing is refused here
    /// (CPEs with a fixed nc inside a session keep working).
    /// </summary>
    public void Observe(HttpContext context, CpeCredential credential)
    {
        if (Parse(context) is { IsDigest: true } presented && Verifies(context, presented, credential))
            nonces.Observe(presented.Nonce, RemoteAddress(context), presented.Qop is null ? null : presented.Digest!.GetValueOrDefault("nc"));
    }

    /// <summary>
    /// A session's cookie came from another connection and another address than the session's, without credentials:
    /// challenged like any request, and on record as a possibly borrowed cookie.
    /// </summary>
    public void ReportForeignCookie(HttpContext context, string serialNumber, IReadOnlyList<string> eventCodes)
    {
        CwmpTelemetry.AuthFailures.Add(1, new KeyValuePair<string, object?>("cwmp.auth.reason", "replayed"));
        const string detail = "session cookie presented from another connection and address";
        CwmpLog.AuthenticationFailed(logger, "-", RemoteAddress(context), detail);
        refusals.Report(serialNumber, null, RefusalReason.Replayed, detail, RemoteAddress(context), eventCodes);
    }

    /// <summary>Writes the 401 challenge headers (Digest with a new nonce for this client, and Basic where allowed).</summary>
    public void Challenge(HttpContext context, bool stale)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        var nonce = nonces.Issue(RemoteAddress(context));
        var digest = $"Digest realm=\"{options.Auth.Realm}\", qop=\"auth\", algorithm=MD5, nonce=\"{nonce}\", opaque=\"{opaque}\"{(stale ? ", stale=true" : "")}";
        response.Headers.WWWAuthenticate = BasicAllowed(context.Request)
            ? new Microsoft.Extensions.Primitives.StringValues([digest, $"Basic realm=\"{options.Auth.Realm}\""])
            : digest;
    }

    /// <summary>Basic is accepted and offered only over TLS, unless plain HTTP is allowed too.</summary>
    private bool BasicAllowed(HttpRequest request) => options.Auth.AllowBasic && (request.IsHttps || options.Auth.AllowBasicOverHttp);

    private string BasicRefusal(HttpRequest request) =>
        options.Auth.AllowBasic && !request.IsHttps ? "Basic authentication is not allowed without TLS" : "Basic authentication is not allowed";

    private static Presented? Parse(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            var p = DigestHeader.ParseParameters(header.AsSpan(7));
            return new Presented(true, p.GetValueOrDefault("username") ?? "", null, p);
        }
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? new Presented(false, "", null, null) : new Presented(false, decoded[..colon], decoded[(colon + 1)..], null);
        }
        catch (FormatException)
        {
            return new Presented(false, "", null, null);
        }
    }

    /// <summary>Protocol-level faults of the header (counted and logged, not reported: they name no credential decision).</summary>
    private CpeAuthResult? Malformed(HttpContext context, Presented presented)
    {
        if (!presented.IsDigest)
            return BasicAllowed(context.Request) ? null : Fail(context, presented.Username, "basic_not_allowed", BasicRefusal(context.Request));
        var p = presented.Digest!;
        if (presented.Nonce.Length == 0 || (p.GetValueOrDefault("response") ?? "").Length == 0)
            return Fail(context, presented.Username, "malformed", "incomplete Digest credentials");
        if (p.TryGetValue("realm", out var realm) && realm != options.Auth.Realm) return Fail(context, presented.Username, "malformed", "wrong realm");
        if (p.TryGetValue("algorithm", out var algorithm) && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase))
            return Fail(context, presented.Username, "malformed", "unsupported Digest algorithm");
        if (presented.Qop is { } qop && qop != "auth") return Fail(context, presented.Username, "malformed", "unsupported Digest qop");
        // Expired or forgotten since the precheck (or never prechecked: an Inform on a continued connection).
        if (nonces.Check(presented.Nonce) != NonceState.Valid) return new CpeAuthResult(CpeAuthOutcome.Challenge, Stale: true);
        return null;
    }

    private bool Verifies(HttpContext context, Presented presented, CpeCredential credential)
    {
        if (!string.Equals(presented.Username, credential.Username, StringComparison.Ordinal)) return false;
        if (!presented.IsDigest)
            return DigestHeader.FixedTimeEqualsHex(DigestHeader.Ha1(presented.Username, options.Auth.Realm, presented.Password ?? ""), credential.Ha1);
        var p = presented.Digest!;
        var expected = DigestHeader.Response(credential.Ha1, context.Request.Method, p.GetValueOrDefault("uri") ?? "", presented.Nonce, presented.Qop,
            p.GetValueOrDefault("nc"), p.GetValueOrDefault("cnonce"));
        return DigestHeader.FixedTimeEqualsHex(expected, p.GetValueOrDefault("response") ?? "");
    }

    /// <summary>The right credential: for Digest, the nonce must be this client's and its count new (or, in the RFC 2069 form, its first use).</summary>
    private CpeAuthResult UseNonce(HttpContext context, Presented presented, CpeCredential credential, IReadOnlyList<string>? eventCodes)
    {
        if (!presented.IsDigest) return new CpeAuthResult(CpeAuthOutcome.Succeeded, credential);
        var use = nonces.Use(presented.Nonce, RemoteAddress(context), presented.Qop is null ? null : presented.Digest!.GetValueOrDefault("nc"));
        return use switch
        {
            NonceUse.Accepted => new CpeAuthResult(CpeAuthOutcome.Succeeded, credential),
            NonceUse.Stale => new CpeAuthResult(CpeAuthOutcome.Challenge, Stale: true),
            NonceUse.Malformed => Fail(context, presented.Username, "malformed", "malformed Digest nonce count"),
            NonceUse.OtherClient => Refuse(context, credential.SerialNumber, presented.Username, RefusalReason.Replayed,
                "Digest nonce issued to another client address", eventCodes),
            _ => Refuse(context, credential.SerialNumber, presented.Username, RefusalReason.Replayed,
                presented.Qop is null ? "Digest nonce used again (RFC 2069 form, no nonce count)" : "Digest nonce count replayed", eventCodes),
        };
    }

    /// <summary>Why none of the device's credentials matched; Stale when the inventory names this device as the username's owner after all.</summary>
    private async Task<(RefusalReason Reason, string Detail, bool Stale)> ClassifyAsync(HttpContext context, Presented presented, DeviceAdmission admission, string serial)
    {
        if (admission.SharedBootstrap is { } shared && !admission.SharedBootstrapAllowed && Verifies(context, presented, shared))
            return (RefusalReason.BootstrapRefused, "the shared bootstrap credential is not allowed for this device", false);
        if (admission.Accepted.Any(c => c.Username == presented.Username) || admission.SharedBootstrap?.Username == presented.Username)
            return (RefusalReason.WrongPassword, "wrong password", false);
        var owner = await credentials.OwnerOfAsync(presented.Username, context.RequestAborted).ConfigureAwait(false);
        if (owner is { Registered: true, Device.SerialNumber: { Length: > 0 } other })
        {
            if (other != serial) return (RefusalReason.OtherDevice, $"the credential of another device ({other})", false);
            credentials.ForgetUsername(presented.Username);
            return (RefusalReason.WrongPassword, "wrong password", true);
        }
        return admission.Registered
            ? (RefusalReason.WrongPassword, "unknown user", false)
            : (RefusalReason.UnknownDevice, "unknown user for a device the inventory does not know", false);
    }

    private CpeAuthResult Refuse(HttpContext context, string? serialNumber, string username, RefusalReason reason, string detail, IReadOnlyList<string>? eventCodes)
    {
        var remote = RemoteAddress(context);
        CwmpTelemetry.AuthFailures.Add(1, new KeyValuePair<string, object?>("cwmp.auth.reason", reason.Name()));
        CwmpLog.AuthenticationFailed(logger, username, remote, serialNumber is null ? detail : $"{detail} (as {serialNumber})");
        refusals.Report(serialNumber, username, reason, detail, remote, eventCodes);
        return new CpeAuthResult(CpeAuthOutcome.Challenge);
    }

    private CpeAuthResult Fail(HttpContext context, string username, string tag, string detail)
    {
        CwmpTelemetry.AuthFailures.Add(1, new KeyValuePair<string, object?>("cwmp.auth.reason", tag));
        CwmpLog.AuthenticationFailed(logger, username, RemoteAddress(context), detail);
        return new CpeAuthResult(CpeAuthOutcome.Challenge);
    }


    internal static string? RemoteAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();
}

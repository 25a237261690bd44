using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

public enum CpeAuthOutcome
{
    Succeeded,
    /// <summary>No or wrong credentials: answer 401 with a challenge.</summary>
    Challenge,
    /// <summary>The orchestrator could not be asked: answer 503.</summary>
    Unavailable,
}

public readonly record struct CpeAuthResult(CpeAuthOutcome Outcome, CpeCredential? Credential = null, bool Stale = false);

/// <summary>
/// HTTP authentication of CPEs: Digest (MD5, qop=auth) always offered, Basic when configured. Nonces are
/// stateless (timestamp + HMAC), so any number of devices can be challenged without server-side state and
/// expired nonces get a "stale" challenge. Nonce counts are not tracked (replay within a nonce's lifetime
/// is accepted); a session's later requests are authenticated by its cookie instead. The Digest "uri" is
/// taken as the client sent it (CPEs behind proxies disagree with us about it) — it is covered by the response hash.
/// </summary>
public sealed class CpeAuthenticator(DeviceCredentialStore credentials, CwmpOptions options, ILogger<CpeAuthenticator> logger)
{
    private readonly byte[] nonceKey = RandomNumberGenerator.GetBytes(32);
    private readonly string opaque = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public async Task<CpeAuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string header = request.Headers.Authorization.ToString();
        var remote = request.HttpContext.Connection.RemoteIpAddress?.ToString();
        try
        {
            if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
                return await DigestAsync(header[7..], request.Method, remote, cancellationToken).ConfigureAwait(false);
            if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
                return await BasicAsync(header[6..].Trim(), remote, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            return new CpeAuthResult(CpeAuthOutcome.Unavailable);
        }
        // No credentials yet: the normal first step of the handshake, not a failure worth counting.
        return new CpeAuthResult(CpeAuthOutcome.Challenge);
    }

    /// <summary>Writes the 401 challenge headers (Digest, and Basic when allowed).</summary>
    public void Challenge(HttpResponse response, bool stale)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        var digest = $"Digest realm=\"{options.Auth.Realm}\", qop=\"auth\", algorithm=MD5, nonce=\"{NewNonce()}\", opaque=\"{opaque}\"{(stale ? ", stale=true" : "")}";
        response.Headers.WWWAuthenticate = options.Auth.AllowBasic
            ? new Microsoft.Extensions.Primitives.StringValues([digest, $"Basic realm=\"{options.Auth.Realm}\""])
            : digest;
    }

    private async Task<CpeAuthResult> BasicAsync(string encoded, string? remote, CancellationToken cancellationToken)
    {
        if (!options.Auth.AllowBasic) return Fail("?", remote, "Basic authentication is not allowed");
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return Fail("?", remote, "malformed Basic credentials");
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return Fail("?", remote, "malformed Basic credentials");
        var username = decoded[..colon];
        var credential = credentials.Bootstrap(username)
            ?? await credentials.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (credential is null) return Fail(username, remote, "unknown user");
        var ha1 = DigestHeader.Ha1(username, options.Auth.Realm, decoded[(colon + 1)..]);
        return DigestHeader.FixedTimeEqualsHex(ha1, credential.Ha1)
            ? new CpeAuthResult(CpeAuthOutcome.Succeeded, credential)
            : Fail(username, remote, "wrong password");
    }

    private async Task<CpeAuthResult> DigestAsync(string text, string method, string? remote, CancellationToken cancellationToken)
    {
        var p = DigestHeader.ParseParameters(text);
        var username = p.GetValueOrDefault("username") ?? "";
        var nonce = p.GetValueOrDefault("nonce") ?? "";
        var response = p.GetValueOrDefault("response") ?? "";
        var uri = p.GetValueOrDefault("uri") ?? "";
        if (username.Length == 0 || response.Length == 0) return Fail(username, remote, "incomplete Digest credentials");
        if (p.TryGetValue("realm", out var realm) && realm != options.Auth.Realm) return Fail(username, remote, "wrong realm");
        if (p.TryGetValue("algorithm", out var algorithm) && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase))
            return Fail(username, remote, "unsupported Digest algorithm");
        var nonceState = CheckNonce(nonce);
        if (nonceState == NonceState.Invalid) return Fail(username, remote, "invalid nonce");

        var credential = credentials.Bootstrap(username)
            ?? await credentials.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (credential is null) return Fail(username, remote, "unknown user");
        var qop = p.GetValueOrDefault("qop");
        var expected = DigestHeader.Response(credential.Ha1, method, uri, nonce, qop, p.GetValueOrDefault("nc"), p.GetValueOrDefault("cnonce"));
        if (!DigestHeader.FixedTimeEqualsHex(expected, response)) return Fail(username, remote, "wrong password");
        // Right password on an expired nonce: ask again without counting a failure.
        if (nonceState == NonceState.Stale) return new CpeAuthResult(CpeAuthOutcome.Challenge, Stale: true);
        return new CpeAuthResult(CpeAuthOutcome.Succeeded, credential);
    }

    private CpeAuthResult Fail(string username, string? remote, string reason)
    {
        CwmpTelemetry.AuthFailures.Add(1, new KeyValuePair<string, object?>("cwmp.auth.reason", reason));
        CwmpLog.AuthenticationFailed(logger, username, remote, reason);
        return new CpeAuthResult(CpeAuthOutcome.Challenge);
    }

    private enum NonceState { Valid, Stale, Invalid }

    // nonce = base64url(issuedAtMs[8] | HMAC-SHA256(key, issuedAtMs)[0..16])
    private string NewNonce()
    {
        Span<byte> buffer = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(buffer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(nonceKey, buffer[..8], mac);
        mac[..16].CopyTo(buffer[8..]);
        return Convert.ToBase64String(buffer).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private NonceState CheckNonce(string nonce)
    {
        Span<byte> buffer = stackalloc byte[24];
        var normalized = nonce.Replace('-', '+').Replace('_', '/');
        if (nonce.Length != 32 || !Convert.TryFromBase64String(normalized, buffer, out var written) || written != 24) return NonceState.Invalid;
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(nonceKey, buffer[..8], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..16], buffer[8..])) return NonceState.Invalid;
        var issued = BinaryPrimitives.ReadInt64BigEndian(buffer);
        return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - issued > options.Auth.NonceLifetime.TotalMilliseconds ? NonceState.Stale : NonceState.Valid;
    }
}

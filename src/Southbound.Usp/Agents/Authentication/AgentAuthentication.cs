using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>What the controller decided about a connection before accepting it.</summary>
internal readonly record struct AgentAuthenticationResult(
    bool Accepted, AgentAdmission Admission, ContactCredential Credential, int Status, string Detail, TimeSpan RetryAfter)
{
    public static AgentAuthenticationResult Admit(AgentAdmission admission, ContactCredential credential) =>
        new(true, admission, credential, StatusCodes.Status101SwitchingProtocols, "", TimeSpan.Zero);

    public static AgentAuthenticationResult Refuse(int status, string detail, TimeSpan retryAfter) =>
        new(false, AgentAdmission.Refused, ContactCredential.Unspecified, status, detail, retryAfter);
}

/// <summary>
/// Decides, before a WebSocket upgrade is accepted, whether a connection is the agent it names (TR-369 security):
/// a trusted client certificate bound to the endpoint ID, else the agent's own secret from the inventory; without
/// either only when Usp:Auth:AllowUnauthenticatedAgents says so. Endpoint IDs the inventory does not know are refused
/// here too (unless quarantined), with a Retry-After long enough that a fleet of them costs little. A connection that
/// did not authenticate never displaces a connected agent of the same endpoint ID. Every refusal is put on record.
/// </summary>
internal sealed class AgentAuthentication(
    AgentDirectory directory,
    AgentRegistry registry,
    RefusedContacts refusals,
    IOptions<UspOptions> options)
{
    private readonly UspOptions _options = options.Value;
    private readonly AgentCertificate _certificates = AgentCertificate.FromOptions(options.Value.Auth);

    public async Task<AgentAuthenticationResult> AuthenticateAsync(
        string endpointId, string mtp, PresentedSecret secret, X509Certificate2? certificate, string? remoteAddress, CancellationToken cancellationToken)
    {
        var auth = _options.Auth;
        LookupDeviceResponse lookup;
        try
        {
            lookup = await directory.LookupAsync(endpointId, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            lookup = new LookupDeviceResponse { Registered = false };
        }
        catch (RpcException)
        {
            // Neither admitted nor refused: the agent comes back shortly and nothing is put on record against it.
            return AgentAuthenticationResult.Refuse(StatusCodes.Status503ServiceUnavailable, "the inventory cannot be asked now", auth.OrchestratorAwayRetryAfter);
        }

        if (!lookup.Registered)
        {
            if (_options.QuarantineUnknownAgents) return AgentAuthenticationResult.Admit(AgentAdmission.Quarantined, ContactCredential.Unspecified);
            return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status404NotFound, RefusalReason.UnknownDevice,
                "endpoint id not in the inventory", auth.UnknownAgentRetryAfter);
        }

        var credential = ContactCredential.Unspecified;
        string? untrusted = null;
        if (certificate is not null)
        {
            untrusted = _certificates.Untrusted(certificate);
            if (untrusted is null)
            {
                if (!_certificates.IsBoundTo(certificate, endpointId))
                    return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status403Forbidden, RefusalReason.OtherDevice,
                        "client certificate is not bound to this endpoint id", auth.RefusedRetryAfter);
                credential = ContactCredential.Certificate;
            }
        }

        var hasSecret = lookup.AgentSecretSha256.Length > 0;
        if (credential == ContactCredential.Unspecified)
        {
            if (secret.Malformed is { } malformed)
                return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status401Unauthorized, RefusalReason.NotAuthenticated, malformed, auth.RefusedRetryAfter);
            if (secret.IsPresent)
            {
                if (secret.ClaimedEndpointId is { } claimed && !string.Equals(claimed, endpointId, StringComparison.Ordinal))
                    return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status401Unauthorized, RefusalReason.OtherDevice,
                        "Basic credential names another endpoint id", auth.RefusedRetryAfter);
                if (hasSecret)
                {
                    if (!AgentSecret.Matches(secret.Secret!, lookup.AgentSecretSha256, lookup.AgentSecretSalt))
                        return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status401Unauthorized, RefusalReason.WrongPassword,
                            "agent secret does not match", auth.RefusedRetryAfter);
                    credential = ContactCredential.AgentSecret;
                }
                // A secret with none registered proves nothing: the agent counts as unauthenticated.
            }
            else if (hasSecret)
            {
                return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status401Unauthorized, RefusalReason.NotAuthenticated,
                    untrusted ?? "the agent has a secret in the inventory and presented none", auth.RefusedRetryAfter);
            }
        }

        if (credential == ContactCredential.Unspecified)
        {
            if (!auth.AllowUnauthenticatedAgents)
                return Refused(endpointId, mtp, remoteAddress, StatusCodes.Status401Unauthorized, RefusalReason.NotAuthenticated,
                    untrusted ?? "neither a client certificate nor an agent secret", auth.RefusedRetryAfter);
            // The real agent's connection stays: a newcomer on its word alone would receive what is meant for the agent.
            if (registry.Find(endpointId) is not null) return Impostor(endpointId, mtp, remoteAddress);
        }
        return AgentAuthenticationResult.Admit(AgentAdmission.Admitted, credential);
    }

    /// <summary>An unauthenticated connection for a connected agent: refused (409 before the upgrade).</summary>
    public AgentAuthenticationResult Impostor(string endpointId, string mtp, string? remoteAddress) =>
        Refused(endpointId, mtp, remoteAddress, StatusCodes.Status409Conflict, RefusalReason.NotAuthenticated,
            "an agent with this endpoint id is connected; an unauthenticated connection does not displace it", _options.Auth.ConnectedRetryAfter);

    private AgentAuthenticationResult Refused(string endpointId, string mtp, string? remoteAddress, int status, RefusalReason reason, string detail, TimeSpan retryAfter)
    {
        refusals.Refused(endpointId, mtp, reason, detail, remoteAddress);
        return AgentAuthenticationResult.Refuse(status, detail, retryAfter);
    }
}

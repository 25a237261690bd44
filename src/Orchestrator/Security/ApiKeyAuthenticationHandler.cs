using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Provisioning.ServiceDefaults.Security;

namespace Provisioning.Orchestrator.Security;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public IReadOnlyList<ApiKey> Keys { get; set; } = [];
    /// <summary>The internal channel's key: authenticates the adapters (role adapter).</summary>
    public string? InternalKey { get; set; }
}

/// <summary>
/// <c>authorization: Bearer &lt;key&gt;</c> against the configured static keys (every key is compared in constant time,
/// so timing tells nothing about which key or how much of it matched).
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());

        ApiKey? match = null;
        foreach (var key in Options.Keys)
        {
            if (InternalChannel.Matches(header, key.Key)) match ??= key;
        }
        if (match is null && Options.InternalKey is { } internalKey && InternalChannel.Matches(header, internalKey))
            match = new ApiKey("adapter", internalKey, Roles.Adapter);
        if (match is null)
        {
            SecurityLog.KeyRejected(Logger, Request.Path.ToString());
            return Task.FromResult(AuthenticateResult.Fail("unknown key"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.Role, match.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

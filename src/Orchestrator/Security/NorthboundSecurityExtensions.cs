using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.IdentityModel.Tokens;
using Provisioning.Orchestrator.Grpc;
using Provisioning.ServiceDefaults.Security;
using Provisioning.ServiceDefaults.Tls;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// Every gRPC call carries a bearer credential: a JWT ("Auth:Jwt:SigningKey/Issuer/Audience", role claim "role") or a
/// static key ("Auth:ApiKeys:&lt;name&gt;:Key/Role"). Operators may provision and read; admins also change inventory and
/// plans. Adapters present the internal key ("Auth:InternalKey"). No credential → UNAUTHENTICATED (HTTP 401),
/// wrong role → PERMISSION_DENIED (HTTP 403). With no keys configured, keys are generated into .data/keys.json.
/// </summary>
public static class NorthboundSecurityExtensions
{
    private const string BearerScheme = "JwtOrApiKey";
    /// <summary>"DataProtection:CertificatePath" + "KeyPath" (PEM) or "PfxPath" (+ "PfxPassword"): the key ring's encryption certificate.</summary>
    public const string KeyEncryptionSection = "DataProtection";

    public static WebApplicationBuilder AddNorthboundAuthentication(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var keys = configuration.GetSection("Auth:ApiKeys").GetChildren()
            .Where(k => !string.IsNullOrWhiteSpace(k["Key"]))
            .Select(k => new ApiKey(k.Key, k["Key"]!, string.IsNullOrWhiteSpace(k["Role"]) ? Roles.Operator : k["Role"]!.Trim().ToLowerInvariant()))
            .ToList();
        // The adapter role proves the internal key and nothing else: a northbound credential never gets it.
        if (keys.FirstOrDefault(k => k.Role == Roles.Adapter) is { } adapterKey)
            throw new InvalidOperationException(
                $"Auth:ApiKeys:{adapterKey.Name}:Role is '{Roles.Adapter}': that role is held only by the internal key (Auth:InternalKey); give the API key the role operator or admin.");
        var jwt = configuration.GetSection("Auth:Jwt");
        var jwtConfigured = !string.IsNullOrWhiteSpace(jwt["SigningKey"]);

        if ((keys.Count == 0 && !jwtConfigured) || InternalChannel.KeyFrom(configuration) is null)
        {
            var file = configuration[GeneratedKeys.FileSetting] ?? GeneratedKeys.DefaultFile;
            var (generated, created) = GeneratedKeys.LoadOrCreate(file);
            if (InternalChannel.KeyFrom(configuration) is null) configuration[InternalChannel.KeySetting] = generated.InternalKey;
            if (keys.Count == 0 && !jwtConfigured)
            {
                keys.Add(new ApiKey("admin", generated.AdminKey, Roles.Admin));
                builder.Services.AddHostedService(sp => new GeneratedKeysAnnouncement(
                    sp.GetRequiredService<ILogger<GeneratedKeysAnnouncement>>(), Path.GetFullPath(file), created));
            }
        }

        var authentication = builder.Services.AddAuthentication(BearerScheme)
            .AddPolicyScheme(BearerScheme, "JWT or API key", policy => policy.ForwardDefaultSelector = context =>
                jwtConfigured && LooksLikeJwt(context.Request.Headers.Authorization) ? JwtBearerDefaults.AuthenticationScheme : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, options =>
            {
                options.Keys = keys;
                options.InternalKey = InternalChannel.KeyFrom(configuration);
            });
        if (jwtConfigured)
        {
            authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt["SigningKey"]!)),
                    ValidateIssuer = !string.IsNullOrWhiteSpace(jwt["Issuer"]),
                    ValidIssuer = jwt["Issuer"],
                    ValidateAudience = !string.IsNullOrWhiteSpace(jwt["Audience"]),
                    ValidAudience = jwt["Audience"],
                    RoleClaimType = "role",
                    NameClaimType = "sub",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                options.Events = new JwtBearerEvents
                {
                    // A token signed with the northbound key may name any role; the adapter role is not one it can give.
                    OnTokenValidated = context =>
                    {
                        if (context.Principal?.FindAll("role").Any(c => string.Equals(c.Value.Trim(), Roles.Adapter, StringComparison.OrdinalIgnoreCase)) == true)
                        {
                            SecurityLog.AdapterRoleInToken(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecurityLog)),
                                context.Principal.FindFirst("sub")?.Value ?? "?");
                            context.Fail("the adapter role comes only with the internal key");
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Adapter, p => p.RequireRole(Roles.Adapter));

        builder.Services.AddGrpc().AddServiceOptions<InventoryGrpcService>(o => o.Interceptors.Add<AdminAuditInterceptor>())
            .AddServiceOptions<ProvisioningGrpcService>(o => o.Interceptors.Add<AdminAuditInterceptor>());

        // Device secrets at rest: CWMP passwords as HA1, Connection Request passwords encrypted (key ring in PostgreSQL).
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("cpe-provisioning");
        // The key ring lives in the same database as what it encrypts, so it is stored encrypted with a key kept outside
        // it: the configured certificate (RSA), else a key file generated beside keys.json. A dump alone reveals nothing.
        var keyEncryption = TlsSettings.From(builder.Configuration, KeyEncryptionSection);
        if (keyEncryption.HasCertificate) dataProtection.ProtectKeysWithCertificate(keyEncryption.LoadCertificate());
        else dataProtection.ProtectKeysWithKeyRingKey(builder.Configuration);
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<Marten.IDocumentStore>((options, store) => options.XmlRepository = new MartenXmlRepository(store));
        builder.Services.AddSingleton<DeviceSecrets>();
        builder.Services.AddSingleton<ServicePlans.PlanSecrets>();
        builder.Services.AddHostedService<DataProtectionKeyRing>();
        return builder;
    }

    private static bool LooksLikeJwt(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Count(c => c == '.') == 2;
}

/// <summary>Says where the generated operator credential is kept (never the credential itself).</summary>
internal sealed class GeneratedKeysAnnouncement(ILogger<GeneratedKeysAnnouncement> logger, string file, bool created) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (created) SecurityLog.AdminKeyCreated(logger, file);
        else SecurityLog.AdminKeyInFile(logger, file);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Authentication;

/// <summary>JWT bearer tokens validated by ASP.NET Core: signature, issuer, audience, lifetime, role claim.</summary>
public sealed class JwtTests : IAsyncLifetime
{
    private const string SigningKey = "a-test-signing-key-of-at-least-32-bytes!";
    private const string Issuer = "https://idp.test";
    private const string Audience = "cpe-provisioning";
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync() => _system = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
    {
        ["Auth:Jwt:SigningKey"] = SigningKey,
        ["Auth:Jwt:Issuer"] = Issuer,
        ["Auth:Jwt:Audience"] = Audience,
    });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    private static string Token(string role, string key = SigningKey, string issuer = Issuer, string audience = Audience, DateTime? expires = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", $"jwt-{role}"), new Claim("role", role)]),
            Issuer = issuer,
            Audience = audience,
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(5)).AddMinutes(-10),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });

    [Fact]
    public async Task An_operator_token_reads_and_is_refused_inventory()
    {
        var token = Token("operator");
        await new ProvisioningService.ProvisioningServiceClient(_system.Invoker(token)).ListWorkflowsAsync(new ListWorkflowsRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new InventoryService.InventoryServiceClient(_system.Invoker(token)).ListServicePlansAsync(new ListServicePlansRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task An_admin_token_changes_plans_and_is_named_in_the_audit()
    {
        var admin = new InventoryService.InventoryServiceClient(_system.Invoker(Token("admin")));
        await admin.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan { Name = "jwt-plan", DataEnabled = true } });
        var audit = await AdminAuditTests.AuditAsync(_system);
        Assert.Contains(audit, a => a.Contains("jwt-plan") && a.Contains("jwt-admin"));
    }

    public static TheoryData<string> BadTokens => new()
    {
        Token("admin", key: "another-signing-key-of-at-least-32-bytes"),
        Token("admin", issuer: "https://elsewhere"),
        Token("admin", audience: "someone-else"),
        Token("admin", expires: DateTime.UtcNow.AddMinutes(-5)),
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_with_a_wrong_signature_issuer_audience_or_lifetime_is_unauthenticated(string token)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ProvisioningService.ProvisioningServiceClient(_system.Invoker(token)).ListWorkflowsAsync(new ListWorkflowsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task A_token_without_a_known_role_is_permission_denied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ProvisioningService.ProvisioningServiceClient(_system.Invoker(Token("viewer"))).ListWorkflowsAsync(new ListWorkflowsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task A_token_claiming_the_adapter_role_gets_no_adapter_calls()
    {
        // Signed with the right key, the right issuer and audience: only the role is one a token cannot give.
        var contacts = new Contracts.Southbound.DeviceContacts.DeviceContactsClient(_system.Invoker(Token("adapter")));
        var lookup = await Assert.ThrowsAsync<RpcException>(() =>
            contacts.LookupDeviceAsync(new Contracts.Southbound.LookupDeviceRequest { Username = "any", Realm = "Provisioning ACS" }).ResponseAsync);
        var report = await Assert.ThrowsAsync<RpcException>(() => contacts.ReportDeviceContactAsync(new Contracts.Southbound.DeviceContactReport
        {
            Identity = new Contracts.Southbound.DeviceIdentity { Device = new Contracts.Common.DeviceRef { SerialNumber = "JWT0001", Protocol = Contracts.Common.DeviceProtocol.Cwmp } },
            EventCodes = { "0 BOOTSTRAP" },
            AdapterAddress = "http://192.0.2.66:50061",
        }).ResponseAsync);
        var refused = await Assert.ThrowsAsync<RpcException>(() => contacts.ReportRefusedContactAsync(new Contracts.Southbound.RefusedContactReport
        {
            Device = new Contracts.Common.DeviceRef { SerialNumber = "JWT0001" }, Reason = Contracts.Southbound.RefusalReason.WrongPassword,
        }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, lookup.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, report.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        // Nor does it reach anything else with that token.
        var northbound = await Assert.ThrowsAsync<RpcException>(() =>
            new ProvisioningService.ProvisioningServiceClient(_system.Invoker(Token("adapter"))).ListWorkflowsAsync(new ListWorkflowsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, northbound.StatusCode);
    }

    [Fact]
    public async Task Static_keys_still_work_beside_tokens()
    {
        await new InventoryService.InventoryServiceClient(_system.Invoker(SystemUnderTest.AdminKey)).ListServicePlansAsync(new ListServicePlansRequest());
    }
}

using Grpc.Net.Client;

namespace Provisioning.Testing;

/// <summary>
/// gRPC channels of tests that carry a bearer credential on every call (authentication is always on): the test admin
/// key by default, or the given token (e.g. <see cref="SystemUnderTest.InternalKey"/> for DeviceContacts).
/// </summary>
public static class TestChannels
{
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null, string? token = SystemUnderTest.AdminKey)
    {
        options ??= new GrpcChannelOptions();
        if (token is not null) options.HttpHandler = new BearerHandler(options.HttpHandler ?? new SocketsHttpHandler(), token);
        return GrpcChannel.ForAddress(address, options);
    }

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null, string? token = SystemUnderTest.AdminKey) =>
        ForAddress(address.ToString(), options, token);

    /// <summary>The same keys for hosts started as processes (environment variables).</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["Auth__ApiKeys__test-admin__Key"] = SystemUnderTest.AdminKey,
        ["Auth__ApiKeys__test-admin__Role"] = "admin",
        ["Auth__ApiKeys__test-operator__Key"] = SystemUnderTest.OperatorKey,
        ["Auth__ApiKeys__test-operator__Role"] = "operator",
        ["Auth__InternalKey"] = SystemUnderTest.InternalKey,
    };

    private sealed class BearerHandler(HttpMessageHandler inner, string token) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("authorization", $"Bearer {token}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}

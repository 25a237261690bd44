using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Provisioning.ServiceDefaults.Security;

/// <summary>
/// The orchestrator ↔ adapter channel carries a shared key (configuration "Auth:InternalKey") as
/// <c>authorization: Bearer &lt;key&gt;</c>: the orchestrator's DeviceAdapter clients and the adapters' DeviceContacts
/// clients send it, the DeviceContacts and DeviceAdapter servers check it.
/// </summary>
public static class InternalChannel
{
    public const string KeySetting = "Auth:InternalKey";
    public const string Header = "authorization";

    public static string? KeyFrom(IConfiguration configuration) =>
        configuration[KeySetting] is { Length: > 0 } key ? key : null;

    /// <summary>
    /// Sends the internal key on every call of this client. It is a message handler (not channel call credentials) so a
    /// channel built on the same handler pipeline for another adapter instance (routing) carries it too.
    /// </summary>
    public static IHttpClientBuilder AddInternalKey(this IHttpClientBuilder client, IConfiguration configuration) =>
        client.AddHttpMessageHandler(() => new InternalKeyHandler(configuration));

    private sealed class InternalKeyHandler(IConfiguration configuration) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Read per call, so a key generated after the client was registered still counts.
            if (KeyFrom(configuration) is { } key) request.Headers.TryAddWithoutValidation(Header, $"Bearer {key}");
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// An adapter's gRPC server accepts only calls carrying the internal key. With no key configured (a standalone
    /// adapter in a lab) it accepts every call and says so once at start-up.
    /// </summary>
    public static WebApplicationBuilder RequireInternalKey(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InternalKeyInterceptor>();
        builder.Services.AddGrpc(options => options.Interceptors.Add<InternalKeyInterceptor>());
        return builder;
    }

    /// <summary>Constant-time comparison of a presented bearer value against the expected key.</summary>
    public static bool Matches(string? authorization, string expectedKey)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(authorization[7..].Trim());
        var expected = Encoding.UTF8.GetBytes(expectedKey);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(presented), SHA256.HashData(expected));
    }
}

/// <summary>Refuses (UNAUTHENTICATED) every call on an adapter's gRPC server that lacks the internal key.</summary>
public sealed partial class InternalKeyInterceptor : Interceptor
{
    private readonly string? _key;

    public InternalKeyInterceptor(IConfiguration configuration, ILogger<InternalKeyInterceptor> logger)
    {
        _key = InternalChannel.KeyFrom(configuration);
        if (_key is null) Unprotected(logger, InternalChannel.KeySetting);
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (_key is null) return;
        if (!InternalChannel.Matches(context.RequestHeaders.GetValue(InternalChannel.Header), _key))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the internal channel key is missing or wrong"));
    }

    [LoggerMessage(9001, LogLevel.Warning, "{Setting} is not configured: this adapter's gRPC server accepts calls from anyone who can reach it")]
    private static partial void Unprotected(ILogger logger, string setting);
}
